/**
 * The SQLite server store's push loop: writes one push's messages after the user's greatest
 * id, 64 or 16 rows per statement where it can (issue 12, ingest). The one writer's time per
 * message was a statement call each: binding, the call itself, a result object, SQLite's
 * per-statement set-up and mutexes. One call for 16 rows cost 1.7-1.8 µs a message against
 * 2.3 for one each, on the ingest benchmark's data.
 *
 * Ids stay dense, as the store contract says: the stored messages of a push take the ids
 * after the user's greatest id, one each, in push order. A row is bound with the id it takes
 * if it is stored. The usual chunk stores all its rows (a device's new changes) or none (a
 * push that lost every cell to newer messages), and its ids are then exactly those.
 * A chunk that stores some of its rows leaves gaps, which are closed at once, in the same
 * transaction, and the rest of the push goes one row at a time: a push whose messages win
 * and lose in turn pays for one mixed chunk, not for one in every chunk. (If such a chunk
 * also replaced one of its own rows, the push is undone and written again row by row.)
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Message } from 'fieldsync';

/**
 * Rows per statement: chunks of the larger size while a push has that many left, then of the
 * smaller, then one at a time. 64 rows a call took the one writer's CPU per message about a
 * sixth below 16 a call on the ingest benchmark's data (5.2 → 4.4 µs, medians of 8 runs of
 * the store's share in one process, on a busy machine); the smaller size keeps a push's tail
 * (1,000 = 15 × 64 + 40) from going one row at a time.
 */
export const CHUNK_SIZES: readonly number[] = [64, 16];
/** The smallest chunk: pushes shorter than this go one row at a time. */
export const CHUNK_ROWS = CHUNK_SIZES[CHUNK_SIZES.length - 1] as number;

/** SQLite's extended result code for a UNIQUE constraint failure. */
const SQLITE_CONSTRAINT_UNIQUE = 2067;

/**
 * A message whose value came as JSON text (from a parse worker, which made it): the store
 * writes the text as it is, and reads `value` only if something asks for it.
 */
export class JsonValueMessage implements Message {
  readonly hlc: string;
  readonly table: string;
  readonly row: string;
  readonly column: string;
  /** The value's JSON text (JSON.stringify of the value). */
  readonly json: string;

  constructor(hlc: string, table: string, row: string, column: string, json: string) {
    this.hlc = hlc;
    this.table = table;
    this.row = row;
    this.column = column;
    this.json = json;
  }

  get value(): Message['value'] {
    return JSON.parse(this.json) as Message['value'];
  }
}

/** The JSON text of a message's value, as the store keeps it. */
export function valueText(m: Message): string {
  if (m instanceof JsonValueMessage) return m.json;
  const text = JSON.stringify(m.value);
  if (typeof text !== 'string') throw new TypeError('a message value is not JSON');
  return text;
}

export interface PushWriter {
  /**
   * Writes `messages` for user `uid` after id `lastId`; returns the user's greatest id after
   * them. `rowByRow`: no chunks. Throws RedoRowByRow when the push must be undone and written
   * again row by row (rare: see closeGaps).
   */
  write(uid: number, lastId: number, messages: readonly Message[], rowByRow: boolean): number;
}

/**
 * A chunk stored some of its rows, one of which another row of the same chunk replaced: the
 * ids cannot be made what one row at a time gives. The caller undoes the push (its savepoint
 * or transaction) and writes it again with `rowByRow`.
 */
export class RedoRowByRow extends Error {
  constructor() {
    super('the push is to be written again row by row');
    this.name = 'RedoRowByRow';
  }
}

const COLUMNS = 'INSERT INTO messages (uid, id, hlc, tbl, row, col, value, client_id) VALUES';
const ROW = '(?, ?, ?, ?, ?, ?, ?, ?)';
const FIELDS = 8;

export function createPushWriter(db: DatabaseSync, compaction: boolean): PushWriter {
  // With compaction: a message for a new cell is inserted; one that beats its cell's message
  // replaces it, under the new id; one that does not is accepted and not kept; a message
  // whose (user, hlc) is known changes nothing. `changes` counts the rows that took an id.
  // SQLite checks the conflict targets in the order written: the cell comes first, so that a
  // message that loses its cell (most of them when devices race for the same cells) costs
  // one index look-up, not two. The (user, hlc) check then runs only for a message about to
  // be stored: a new cell is refused by the second target; a replacement whose hlc is already
  // held by another cell fails on the unique index (see `one`).
  const conflict = compaction
    ? `ON CONFLICT (uid, tbl, row, col) DO UPDATE
         SET id = excluded.id, hlc = excluded.hlc, value = excluded.value, client_id = excluded.client_id
         WHERE excluded.hlc > messages.hlc
       ON CONFLICT (uid, hlc) DO NOTHING`
    : 'ON CONFLICT (uid, hlc) DO NOTHING';
  const oneRow = db.prepare(`${COLUMNS} ${ROW} ${conflict}`);
  // Largest first: a push takes the first that fits what it has left.
  const chunks = CHUNK_SIZES.map((rows) => ({
    rows,
    statement: db.prepare(`${COLUMNS} ${Array<string>(rows).fill(ROW).join(', ')} ${conflict}`),
    args: new Array<number | string>(rows * FIELDS).fill(0),
  }));
  const selectHlc = db.prepare('SELECT 1 FROM messages WHERE uid = ? AND hlc = ?');
  const chunkIds = db.prepare('SELECT id FROM messages WHERE uid = ? AND id > ? AND id <= ? ORDER BY id');
  const moveId = db.prepare('UPDATE messages SET id = ? WHERE uid = ? AND id = ?');

  /** Stores one message under `id` if it is new and kept; true when it took the id. */
  const one = (uid: number, id: number, m: Message): boolean => {
    const { hlc } = m;
    try {
      return oneRow.run(uid, id, hlc, m.table, m.row, m.column, valueText(m), hlc.slice(30)).changes === 1;
    } catch (err) {
      // Only a replacement whose (user, hlc) another cell holds gets here (see `conflict`);
      // SQLite undid the statement alone. Any other failure is real.
      if ((err as { errcode?: unknown }).errcode === SQLITE_CONSTRAINT_UNIQUE && selectHlc.get(uid, hlc) !== undefined) return false;
      throw err;
    }
  };

  /**
   * A chunk of `rows` bound with ids lastId + 1 … lastId + rows stored `changed` of them, not
   * all: its rows move down to close the gaps, in order, so that the k-th stored row has id
   * lastId + k, as one row at a time would have given it. Moving down in increasing order
   * never meets a row still to move. Returns the user's greatest id after the chunk.
   */
  const closeGaps = (uid: number, lastId: number, rows: number, changed: number): number => {
    const ids = (chunkIds.all(uid, lastId, lastId + rows) as { id: number }[]).map((r) => r.id);
    // Fewer rows than changes: a row stored and then replaced by a later row of the same
    // chunk (same cell) is gone, and which id it took cannot be told from what is left.
    if (ids.length !== changed) throw new RedoRowByRow();
    ids.forEach((id, k) => {
      if (id !== lastId + 1 + k) moveId.run(lastId + 1 + k, uid, id);
    });
    return lastId + changed;
  };

  return {
    write(uid, lastId, messages, rowByRow) {
      let last = lastId;
      let i = 0;
      while (!rowByRow) {
        const chunk = chunks.find((c) => i + c.rows <= messages.length);
        if (chunk === undefined) break;
        const { rows, args } = chunk;
        for (let j = 0, o = 0; j < rows; j++, o += FIELDS) {
          const m = messages[i + j] as Message;
          const { hlc } = m;
          args[o] = uid;
          args[o + 1] = last + 1 + j;
          args[o + 2] = hlc;
          args[o + 3] = m.table;
          args[o + 4] = m.row;
          args[o + 5] = m.column;
          args[o + 6] = valueText(m);
          args[o + 7] = hlc.slice(30);
        }
        let changed: number;
        try {
          changed = Number(chunk.statement.run(...args).changes);
        } catch (err) {
          // A replacement whose hlc another cell holds: SQLite undid the whole statement, and
          // the chunk goes one row at a time, which tells that case from a real failure.
          if ((err as { errcode?: unknown }).errcode === SQLITE_CONSTRAINT_UNIQUE) break;
          throw err;
        }
        i += rows;
        if (changed === 0 || changed === rows) {
          last += changed;
          continue;
        }
        last = closeGaps(uid, last, rows, changed);
        break;
      }
      for (; i < messages.length; i++) {
        if (one(uid, last + 1, messages[i] as Message)) last++;
      }
      return last;
    },
  };
}
