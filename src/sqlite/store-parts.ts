/**
 * What the pieces of the SQLite store share: the helpers made with the store over its
 * connection, and what `open()` prepares for a schema. The store (sqlite-store.ts) makes them
 * and hands them, as one argument, to the pieces that work on them: the view of other
 * connections' commits (other-connections.ts), the message queries (message-queries.ts), the
 * commit path (commit-path.ts) and the data-row reads (data-rows.ts). A file of its own so
 * that those pieces depend on it, not on the store, nor on one another.
 */
import type { Statement } from 'better-sqlite3';
import type { createCommitApplier } from './apply-commit.ts';
import type { Checkpoints } from './checkpoints.ts';
import type { KeptMoves } from './kept-moves.ts';
import type { MessageLog } from './message-log.ts';
import type { OneCellWrite } from './one-cell-write.ts';
import type { Db } from './open-database.ts';
import type { PendingCells } from './pending-cells.ts';
import type { PulledInRow } from './pulled-in-row.ts';
import type { SqlTable } from './sql-columns.ts';
import type { UnpushedInRow } from './unpushed-in-row.ts';
import type { WinnerCache } from './winner-cache.ts';
import type { WinnerReads } from './winner-reads.ts';

/** Everything open() prepares for the schema it was given. */
export interface OpenedStore {
  readonly tables: ReadonlyMap<string, SqlTable>;
  readonly log: MessageLog;
  readonly checkpoints: Checkpoints;
  readonly applier: ReturnType<typeof createCommitApplier>;
  readonly oneCell: OneCellWrite;
  readonly meta: { all: Statement<[], { key: string; value: string }>; set: Statement<[string, string]> };
}

/** The helpers made with the store, over its connection, and what open() prepared. */
export interface StoreParts {
  readonly db: Db;
  readonly pending: PendingCells;
  readonly unpushed: UnpushedInRow;
  readonly winnerCache: WinnerCache;
  readonly pulled: PulledInRow;
  readonly keptMoves: KeptMoves;
  readonly winnerReads: WinnerReads;
  /** What open() prepared; a StoreError before it has run. */
  ready(): OpenedStore;
}

export const newestOf = (a: string | null, b: string | null): string | null => (a === null || (b !== null && b > a) ? b : a);

/** The greatest hlc the file holds: in the log, among the marks of local messages kept in rows, among kept pulled ones. */
export const storedNewest = (log: MessageLog, { pending, pulled }: StoreParts): string | null =>
  newestOf(newestOf(log.maxHlc(), pending.newest), pulled.newestHlc());
