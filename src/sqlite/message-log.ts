/**
 * The store's messages, in two tables: `fieldsync_outbox` holds this client's messages the
 * server does not hold yet (pending, or refused with an error), `fieldsync_messages` every
 * other one (pulled, and this client's once acknowledged). A message lives in exactly one of
 * them; its flags decide which, and a flag change that crosses over moves it.
 *
 * Why two tables: pulled messages (most of all messages) never pay for what only local ones
 * need. A local message that is exactly its cell's value is not here at all while pending:
 * it stays in its data row (pending-cells.ts), and comes here when anything happens to it.
 */
import type { JsonValue, MessageQuery, StoredMessage } from '../sync/index.ts';
import { withUpdate, type MessageUpdate } from '../sync/store.ts';
import type { Db } from './open-database.ts';
import { MESSAGES_TABLE as M, OUTBOX_TABLE as O } from './sql-columns.ts';

interface Row {
  hlc: string;
  tbl: string;
  row: string;
  col: string;
  value: string;
  local: number;
  synced: number;
  applied: number;
  error: string | null;
}

const toMessage = (r: Row): StoredMessage => ({
  hlc: r.hlc, table: r.tbl, row: r.row, column: r.col, value: JSON.parse(r.value) as JsonValue,
  local: r.local === 1, synced: r.synced === 1, applied: r.applied === 1, error: r.error,
});

/** The outbox's rows with the flags they imply, so that both tables read alike. */
const OUTBOX_ROWS = `SELECT hlc, tbl, row, col, value, 1 AS local, 0 AS synced, applied, error FROM ${O}`;
/** Pulled messages are inserted this many per statement: fewer calls into SQLite. */
const BATCH = 100;

export type MessageLog = ReturnType<typeof createMessageLog>;

export function createMessageLog(db: Db) {
  const insertValues = (n: number): string => Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
  const st = {
    maxHlc: db.prepare<[], string | null>(`SELECT max(h) FROM (SELECT max(hlc) AS h FROM ${M} UNION ALL SELECT max(hlc) FROM ${O})`).pluck(),
    pendingCount: db.prepare<[], number>(`SELECT count(*) FROM ${O} WHERE error IS NULL`).pluck(),
    pending: db.prepare<[number], Row>(`${OUTBOX_ROWS} WHERE error IS NULL ORDER BY hlc LIMIT ?`),
    rejected: db.prepare<[], Row>(`${OUTBOX_ROWS} WHERE error IS NOT NULL ORDER BY hlc`),
    unapplied: db.prepare<[], Row>(`SELECT * FROM ${M} WHERE applied = 0 AND local = 0 ORDER BY hlc`),
    // A scan of the log (EXPLAIN QUERY PLAN: SCAN), by choice: it serves a refused message's
    // repair (rare) and an inspector's history() (about 12 ms per 200,000 messages kept). An
    // index on the cell cost the log 80% more on disk and every acknowledged push a B-tree
    // insert more, and building it in an existing file held the open's write lock for seconds
    // (6.5 s for a million), past a second connection's busy timeout (docs/api.md, InspectedMessage).
    cell: db.prepare<[string, string, string, string, string, string], Row>(`
      SELECT * FROM ${M} WHERE tbl = ? AND row = ? AND col = ? AND applied = 1
      UNION ALL ${OUTBOX_ROWS} WHERE tbl = ? AND row = ? AND col = ? AND applied = 1`),
    recent: db.prepare<[number, number, number], Row>(`
      SELECT * FROM (SELECT * FROM (SELECT * FROM ${M} ORDER BY hlc DESC LIMIT ?)
        UNION ALL SELECT * FROM (${OUTBOX_ROWS} ORDER BY hlc DESC LIMIT ?)) ORDER BY hlc DESC LIMIT ?`),
    get: db.prepare<[string, string], Row>(`SELECT * FROM ${M} WHERE hlc = ? UNION ALL ${OUTBOX_ROWS} WHERE hlc = ?`),
    toOutbox: db.prepare<[string, string, string, string, string, number, string | null, string]>(`
      INSERT INTO ${O} (hlc, tbl, row, col, value, applied, error)
      SELECT ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM ${M} WHERE hlc = ?) ON CONFLICT(hlc) DO NOTHING`),
    toMessagesChecked: db.prepare<[string, string, string, string, string, number, number, number, string | null, string]>(`
      INSERT INTO ${M} (hlc, tbl, row, col, value, local, synced, applied, error)
      SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM ${O} WHERE hlc = ?) ON CONFLICT(hlc) DO NOTHING`),
    toMessages: db.prepare(`INSERT INTO ${M} (hlc, tbl, row, col, value, local, synced, applied, error) VALUES ${insertValues(1)} ON CONFLICT(hlc) DO NOTHING`),
    // The bulk of every sync: pulled messages that apply. Their flags are constants.
    toMessagesBatch: db.prepare(`INSERT INTO ${M} (hlc, tbl, row, col, value, local, synced, applied, error) VALUES ${
      Array.from({ length: BATCH }, () => '(?, ?, ?, ?, ?, 0, 1, 1, NULL)').join(', ')} ON CONFLICT(hlc) DO NOTHING`),
    removeMessage: db.prepare<[string]>(`DELETE FROM ${M} WHERE hlc = ?`),
    removeOutbox: db.prepare<[string]>(`DELETE FROM ${O} WHERE hlc = ?`),
  };

  const fields = (m: StoredMessage): (string | number | null)[] => [
    m.hlc, m.table, m.row, m.column, JSON.stringify(m.value), m.local ? 1 : 0, m.synced ? 1 : 0, m.applied ? 1 : 0, m.error,
  ];

  /** Stores a message where its flags put it, unless its hlc is stored already. */
  function insertOne(m: StoredMessage): void {
    if (m.local && !m.synced) {
      st.toOutbox.run(m.hlc, m.table, m.row, m.column, JSON.stringify(m.value), m.applied ? 1 : 0, m.error, m.hlc);
    } else if (m.local) {
      st.toMessagesChecked.run(...(fields(m) as [string, string, string, string, string, number, number, number, string | null]), m.hlc);
    } else {
      st.toMessages.run(fields(m));
    }
  }

  return {
    maxHlc: (): string | null => st.maxHlc.get() ?? null,
    pendingCount: (): number => st.pendingCount.get() ?? 0,

    /** Call inside a transaction. */
    insert(list: readonly StoredMessage[]): void {
      // Pulled messages that apply, the bulk of every sync, go in batches; others one by one.
      const batch: string[] = [];
      for (const m of list) {
        if (m.local || !m.synced || !m.applied || m.error !== null) {
          insertOne(m);
          continue;
        }
        batch.push(m.hlc, m.table, m.row, m.column, JSON.stringify(m.value));
        if (batch.length === BATCH * 5) {
          st.toMessagesBatch.run(batch);
          batch.length = 0;
        }
      }
      for (let i = 0; i < batch.length; i += 5) {
        st.toMessages.run(batch[i], batch[i + 1], batch[i + 2], batch[i + 3], batch[i + 4], 0, 1, 1, null);
      }
    },

    /** Call inside a transaction. */
    update(u: MessageUpdate): void {
      const row = st.get.get(u.hlc, u.hlc);
      if (!row) return;
      const next = withUpdate(toMessage(row), u);
      st.removeMessage.run(u.hlc);
      st.removeOutbox.run(u.hlc);
      insertOne(next);
    },

    /** Call inside a transaction. */
    remove(hlc: string): void {
      st.removeMessage.run(hlc);
      st.removeOutbox.run(hlc);
    },

    query(q: MessageQuery): StoredMessage[] {
      switch (q.kind) {
        case 'pending': return st.pending.all(q.limit).map(toMessage);
        case 'unapplied': return st.unapplied.all().map(toMessage);
        case 'rejected': return st.rejected.all().map(toMessage);
        case 'cell': return st.cell.all(q.table, q.row, q.column, q.table, q.row, q.column).map(toMessage);
        case 'recent': return st.recent.all(q.limit, q.limit, q.limit).map(toMessage);
      }
    },
  };
}
