/**
 * One page of a user's messages from the SQLite server store, on any connection to its file:
 * the store's own (sqlite-server-store.ts) and the pull thread's read-only one
 * (pull-worker.ts), so that both answer a pull with the same code. The caller runs it in a
 * read transaction: the page and the user's greatest id then come from one snapshot.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { PullOptions, PullResult, ServerMessage } from 'fieldsync/server';
import { pageRowReader, type PageRow } from './page-rows.ts';

export interface PullLimits {
  /** The widest range of ids one pull examines (see SqliteServerStoreOptions.maxScanIds). */
  readonly maxScanIds: number;
  /** The most bytes of message values one page returns (at least one message is always returned). */
  readonly maxPageBytes: number;
}

export interface UserRow {
  readonly uid: number;
  readonly last_id: number;
  readonly epoch: string;
}

/** Rows a pull reads per statement: at most 128 values of 64 KiB (8 MiB) read ahead of the byte limit. */
const PULL_CHUNK_ROWS = 128;

export function sqlitePull(db: DatabaseSync, limits: PullLimits): {
  readonly selectUser: (name: string) => UserRow | undefined;
  readonly pull: (userId: string, o: PullOptions) => PullResult;
} {
  const userStatement = db.prepare('SELECT uid, last_id, epoch FROM users WHERE name = ?');
  const selectUser = (name: string): UserRow | undefined => userStatement.get(name) as UserRow | undefined;
  // messages_by_id covers (uid, id, client_id): the caller's own messages are skipped in the
  // index, and only the rows returned are read from the table.
  const pageRows = pageRowReader(db.prepare(
    `SELECT id, hlc, tbl, row, col, value FROM messages
     WHERE uid = ? AND id > ? AND id <= ? AND client_id <> ? ORDER BY id LIMIT ?`,
  ));
  const pull = (userId: string, o: PullOptions): PullResult => {
    const user = selectUser(userId);
    if (!user) return { messages: [], cursor: o.cursor, more: false, lastId: 0, epoch: '' };
    const lastId = user.last_id;
    const epoch = user.epoch;
    const end = Math.min(lastId, o.cursor + limits.maxScanIds);
    const out: ServerMessage[] = [];
    let bytes = 0;
    // Read in chunks of rows (node:sqlite's all() costs about 1 µs a row, its iterate() 1.7):
    // one row more than the page holds says `more`, and the byte limit can end the page
    // early without more than a chunk read ahead.
    for (let from = o.cursor; ;) {
      const want = Math.min(o.limit + 1 - out.length, PULL_CHUNK_ROWS);
      // No message has an empty client_id: '' leaves none out.
      const rows = pageRows(user.uid, from, end, o.includeOwn === true ? '' : o.excludeClientId, want);
      for (const [id, hlc, table, row, column, value] of rows) {
        if (out.length >= o.limit || bytes >= limits.maxPageBytes) {
          return { messages: out, cursor: (out[out.length - 1] as ServerMessage).id, more: true, lastId, epoch };
        }
        out.push({ id, hlc, table, row, column, value: JSON.parse(value) as ServerMessage['value'] });
        bytes += value.length;
      }
      if (rows.length < want) break; // nothing more of others in the range
      from = (rows[rows.length - 1] as PageRow)[0];
    }
    if (end < lastId) return { messages: out, cursor: end, more: true, lastId, epoch }; // the scan range ended first
    return { messages: out, cursor: Math.max(o.cursor, lastId), more: false, lastId, epoch };
  };
  return { selectUser, pull };
}
