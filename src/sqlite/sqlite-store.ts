/**
 * The client store on SQLite (better-sqlite3): the five functions of the store contract
 * (`src/sync/store.ts`) over one database file.
 *
 * - Every commit runs in one `IMMEDIATE` transaction: all or nothing, and it takes the write
 *   lock up front, so two connections on one file (a crashed instance's and its restart's)
 *   wait for each other instead of failing half-way.
 * - Messages keep their value as JSON text, so every value round-trips exactly; this
 *   client's unsynced ones stay in their data rows, marked (pending-cells.ts), or wait in an
 *   outbox (message-log.ts); pulled ones that win their cell stay only in their rows
 *   (pulled-in-row.ts); apply-commit.ts decides which.
 * - WAL checkpoints run at idle, not inside a write (checkpoints.ts).
 * - Data tables hold one row per row id, one native column per declared column, and beside
 *   each a hidden `_hlc_<column>` with the hlc of its value: `winners()` reads those, one
 *   primary-key lookup per row, with no index over the messages to maintain.
 * - SQL identifiers come only from the declared schema (see sql-columns.ts). The file keeps
 *   every table and column any schema version declared, with the type its values were
 *   written with: migrate-data-tables.ts follows a new version (added, dropped, retyped
 *   columns), so that every value reads back and every local write is pushed exactly.
 *
 * This file makes the store and opens it; the rest is in files by role, each given the
 * store's parts (store-parts.ts): commit-path.ts (`commit`, `transact`), message-queries.ts
 * (`messages`), data-rows.ts (`values`, `readRow`, `rows`) and other-connections.ts (what the
 * store knows of other connections' commits, which both the writes and the queries ask).
 */
import { invalidArgument, reading } from '../sync/errors.ts';
import { type Cell, type Commit, type MessageQuery, type Schema, type StoredMessage, StoreError, type SyncStore } from '../sync/index.ts';
import { isObject } from '../sync/option-keys.ts';
import type { CellValue, StoreState } from '../sync/store.ts';
import { checkStoreCall as check } from '../sync/store-calls.ts'; // an app's own calls of the contract's methods
import { createCommitApplier } from './apply-commit.ts';
import { checkpointOptionsError, createCheckpoints, type CheckpointOptions } from './checkpoints.ts';
import { createCommitPath } from './commit-path.ts';
import { createDataRows, type DataRow } from './data-rows.ts';
import { createKeptMoves } from './kept-moves.ts';
import { createMessageLog } from './message-log.ts';
import { createMessageQueries } from './message-queries.ts';
import { createOneCellWrite } from './one-cell-write.ts';
import { migrateDataTables } from './migrate-data-tables.ts';
import { migrateStore } from './migrations.ts';
import type { Db } from './open-database.ts';
import { createConnectionWatch } from './other-connections.ts';
import { META_TABLE, sqlTables } from './sql-columns.ts';
import { createPendingCells } from './pending-cells.ts';
import { NEWEST_KEY, RING_KEY, createPulledInRow } from './pulled-in-row.ts';
import { createRowWriter } from './row-writer.ts';
import { storedNewest, type OpenedStore, type StoreParts } from './store-parts.ts';
import { createWinnerCache } from './winner-cache.ts';
import { GENERATION_KEY, createUnpushedInRow } from './unpushed-in-row.ts';
import { createWinnerReads } from './winner-reads.ts';

export type { DataRow } from './data-rows.ts';

/** The store contract, synchronous (better-sqlite3 is), plus reads of the data tables. */
export interface SqliteStore extends SyncStore {
  /**
   * The connection, for reads of the data tables. Write them only through the client (or
   * `commit`/`transact`): the store remembers the winners its local writes set.
   */
  readonly db: Db;
  open(schema: Schema): StoreState;
  winners(cells: readonly Cell[]): ReadonlyMap<string, string>;
  values(cells: readonly Cell[]): ReadonlyMap<string, CellValue>;
  messages(query: MessageQuery): StoredMessage[];
  commit(commit: Commit): void;
  transact(cells: readonly Cell[], plan: (newest: string | null) => Commit): void;
  close(): void;
  /** One data row, decoded (tombstones included, `_deleted: true`), or undefined. */
  readRow(table: string, row: string): DataRow | undefined;
  /** Every row of a data table, decoded, by id. Tombstones are left out unless asked for. */
  rows(table: string, options?: { includeDeleted?: boolean }): Map<string, DataRow>;
}

export interface SqliteStoreOptions {
  /** When the store checkpoints the WAL (see checkpoints.ts); the defaults suit an app. */
  readonly checkpoints?: CheckpointOptions;
}

/**
 * By connection, its store and the options it was made with. One store per connection: a store
 * keeps what it knows of the file in memory (the winners its local writes set, the unpushed
 * marks), checked against `PRAGMA data_version`, which another connection's commits change but
 * another store's on the same connection do not. Two stores on one connection (a hot reload
 * that kept the connection) each missed the other's commits: clients on them stamped each
 * other's hlcs, and half of the writes were lost. The second call answers the first store, on
 * which a second client takes the first one over (client-lock.ts).
 */
const storeOfConnection = new WeakMap<object, { readonly store: SqliteStore; readonly options: string }>();

export function createSqliteStore(db: Db, options: SqliteStoreOptions = {}): SqliteStore {
  const given = db as Partial<Db> | null;
  if (typeof given !== 'object' || given === null || typeof given.prepare !== 'function' || typeof given.transaction !== 'function' || typeof given.pragma !== 'function') {
    throw invalidArgument('createSqliteStore: db must be a better-sqlite3 database (openDatabase(file) opens one)');
  }
  if (given.open === false) throw invalidArgument('createSqliteStore: the database is closed');
  const why = reading('createSqliteStore: reading the options', () => !isObject(options) ? 'options must be an object' : checkpointOptionsError(options.checkpoints));
  if (why !== null) throw invalidArgument(`createSqliteStore: ${why}`);
  const asked = `${options.checkpoints?.idleMs}/${options.checkpoints?.maxPages}`;
  const made = storeOfConnection.get(db);
  if (made !== undefined) {
    if (made.options !== asked) throw invalidArgument('createSqliteStore: this connection has a store already, with other options (one store per connection)');
    return made.store;
  }
  /** Everything open() prepares; null until it has run. */
  let opened: OpenedStore | null = null;
  const parts: StoreParts = {
    db,
    pending: createPendingCells(db),
    unpushed: createUnpushedInRow(db),
    winnerCache: createWinnerCache(),
    pulled: createPulledInRow(db),
    keptMoves: createKeptMoves(db),
    winnerReads: createWinnerReads(db),
    ready: () => {
      if (!opened) throw new StoreError('the store is not open');
      return opened;
    },
  };
  const { pending, unpushed, winnerCache, pulled, keptMoves, winnerReads, ready } = parts;
  const watch = createConnectionWatch(parts);
  const dataRows = createDataRows(parts);
  const queries = createMessageQueries(parts, watch);
  const writes = createCommitPath(parts, watch);

  const store: SqliteStore = {
    db,

    open(schema: Schema): StoreState {
      check('open', schema);
      const next = sqlTables(schema); // throws on reserved table names, before anything changes
      // One transaction: the migration, the marks and the greatest hlc are of one state of
      // the file, and the version seen is that state's (other-connections.ts): a commit of
      // another connection after it is seen by the next refresh(), and the next local
      // write's clock moves past it.
      const { log, meta, maxHlc } = db.transaction(() => {
        migrateStore(db);
        migrateDataTables(db, next);
        const log = opened?.log ?? createMessageLog(db);
        const meta = opened?.meta ?? {
          all: db.prepare<[], { key: string; value: string }>(`SELECT key, value FROM ${META_TABLE}`),
          set: db.prepare<[string, string]>(`INSERT INTO ${META_TABLE} (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`),
        };
        pending.load(next);
        unpushed.load(next);
        watch.seeNow();
        return { log, meta, maxHlc: storedNewest(log, parts) };
      }).immediate();
      watch.clearUnseen(); // the client's clock starts after maxHlc
      const checkpoints = opened?.checkpoints ?? createCheckpoints(db, options.checkpoints);
      keptMoves.clear(); // statements prepared for the previous schema's columns
      const applier = createCommitApplier({ tables: next, log, pending, writer: createRowWriter(db, next), pulled, moves: keptMoves, setMeta: (k, v) => meta.set.run(k, v) }, maxHlc);
      const oneCell = createOneCellWrite(db, { tables: next, log, pending, unpushed, moves: keptMoves, isNew: applier.isNew, stored: (hlc) => applier.stored(hlc) });
      opened = { tables: next, log, meta, checkpoints, applier, oneCell };
      // Statements prepared for the previous schema may name other columns.
      dataRows.clear();
      winnerReads.clear();
      winnerCache.clear();
      const entries: Record<string, string> = {};
      for (const { key, value } of meta.all.all()) if (key !== RING_KEY && key !== NEWEST_KEY && key !== GENERATION_KEY) entries[key] = value;
      return { meta: entries, maxHlc, pendingCount: log.pendingCount() + pending.count + unpushed.count };
    },

    winners(cells: readonly Cell[]) {
      check('winners', cells);
      // Read first: a commit of another connection after it, before the winners' read, is checked again (stillWinning).
      watch.winnersRead();
      return winnerReads.read(cells, ready().tables);
    },

    transact(cells, plan) {
      check('transact', cells, plan);
      writes.transact(cells, plan);
    },

    values(cells: readonly Cell[]) {
      check('values', cells);
      return dataRows.values(cells);
    },

    messages(q: MessageQuery) {
      check('messages', q);
      return queries(q);
    },

    commit(c: Commit) {
      check('commit', c);
      writes.commit(c);
    },

    close() {
      opened?.checkpoints.stop();
      if (db.open) db.close();
    },

    readRow: dataRows.readRow,
    rows: dataRows.rows,
  };
  storeOfConnection.set(db, { store, options: asked });
  return store;
}
