/**
 * The SQLite store's `messages(query)`: the outbox and log (message-log.ts), the local
 * messages kept in their data rows (pending-cells.ts) and the pulled ones kept there
 * (pulled-in-row.ts), merged into one answer from one snapshot. Separate from the store
 * (sqlite-store.ts) because of what it takes to read them together: a query that finds
 * unpushed lists in rows copies them to the outbox first, which is a write.
 */
import type { MessageQuery, StoredMessage } from '../sync/index.ts';
import type { ConnectionWatch } from './other-connections.ts';
import type { StoreParts } from './store-parts.ts';

/** Thrown by a read transaction that found unpushed lists to copy: the query runs again, IMMEDIATE (`readOrCopy`). */
const copyFirst = new Error('the query copies unpushed messages: it runs again as a write');

/** Each message once (the first of each hlc): a kept pulled message may be in the log too. */
function distinct(list: StoredMessage[]): StoredMessage[] {
  const seen = new Set<string>();
  return list.filter((m) => !seen.has(m.hlc) && (seen.add(m.hlc), true));
}

/** Both lists in hlc order (`dir` 1 oldest first, -1 newest first), each message once, at most `limit`. */
const merged = (a: StoredMessage[], b: StoredMessage[], dir: 1 | -1, limit: number): StoredMessage[] =>
  b.length === 0 ? a : distinct([...a, ...b].sort((x, y) => (x.hlc < y.hlc ? -dir : x.hlc > y.hlc ? dir : 0))).slice(0, limit);

/** `messages(query)` of the store contract, its arguments already checked. */
export function createMessageQueries(parts: StoreParts, watch: ConnectionWatch): (q: MessageQuery) => StoredMessage[] {
  const { db, pending, unpushed, pulled, ready } = parts;

  // One read transaction: the marks, the log and the values kept in rows are read from one
  // snapshot. Another connection on the file (a UI process beside a background syncer) that
  // commits between those reads would otherwise pair a mark's hlc with a newer value, or show
  // a message both in its row and in the outbox. The queries of pending messages find the
  // unpushed lists kept in rows in the outbox: copied there first (a write: the transaction
  // is IMMEDIATE then, see `messages`). A read transaction that finds lists to copy (another
  // connection's, seen only now) copies nothing: it says so (`copyFirst`), and the query runs
  // again IMMEDIATE. A write from its snapshot failed whenever a third connection had
  // committed since it began (SQLITE_BUSY_SNAPSHOT, "database is locked"): two processes on
  // one file saw their syncs fail.
  const readMessages = db.transaction((q: MessageQuery, writing: boolean): StoredMessage[] => {
    if (q.kind === 'pending' || q.kind === 'recent' || q.kind === 'cell') {
      watch.refresh();
      if (!writing && unpushed.count > 0) throw copyFirst;
      unpushed.copyAll();
    }
    const fromLog = ready().log.query(q);
    switch (q.kind) {
      case 'pending': return pending.count === 0 ? fromLog : merged(fromLog, pending.oldest(q.limit), 1, q.limit);
      case 'recent': return merged(merged(fromLog, pending.newestFirst(q.limit), -1, q.limit), pulled.recent(), -1, q.limit);
      case 'cell': {
        const table = ready().tables.get(q.table);
        const column = table?.columns.get(q.column);
        const kept = table && column ? pulled.ofCell(table, q.row, column) : [];
        return distinct([...fromLog, ...pending.ofCell(q.table, q.row, q.column), ...kept]);
      }
      default: return fromLog;
    }
  });

  /** A query that may copy: read-only while this connection knows of no lists in rows, IMMEDIATE once it finds some. */
  function readOrCopy(q: MessageQuery): StoredMessage[] {
    try {
      return readMessages(q, false);
    } catch (err) {
      if (err !== copyFirst) throw err;
      return readMessages.immediate(q, true);
    }
  }

  return function messages(q: MessageQuery): StoredMessage[] {
    // With unpushed messages kept in rows, a query of pending ones copies them to the
    // outbox first: a write, so its transaction takes the write lock up front.
    const copies = q.kind === 'pending' || q.kind === 'recent' || q.kind === 'cell';
    if (!copies) return readMessages(q, false);
    let out: StoredMessage[];
    try {
      out = unpushed.count > 0 ? readMessages.immediate(q, true) : readOrCopy(q);
    } catch (err) {
      unpushed.load(ready().tables); // the lists as the rolled-back database has them
      throw err;
    }
    const copied = unpushed.takeCopied();
    if (copied > 0) ready().checkpoints.committed(copied);
    return out;
  };
}
