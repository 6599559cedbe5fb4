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
 */
import type { Statement } from 'better-sqlite3';
import { SchemaError, StoreError, cellKey, type Cell, type CellWrite, type Commit, type JsonValue, type MessageQuery, type Schema, type StoredMessage, type SyncStore } from '../sync/index.ts';
import { META, readsDeleted, type CellValue, type StoreState } from '../sync/store.ts';
import { checkStoreCall as check } from '../sync/store-calls.ts'; // an app's own calls of the contract's methods
import { createCommitApplier } from './apply-commit.ts';
import { checkpointOptionsError, createCheckpoints, type CheckpointOptions, type Checkpoints } from './checkpoints.ts';
import { errorText, invalidArgument, reading } from '../sync/errors.ts';
import { isObject } from '../sync/option-keys.ts';
import { typesChanged } from './column-types.ts';
import { createKeptMoves } from './kept-moves.ts';
import { createMessageLog, type MessageLog } from './message-log.ts';
import { createOneCellWrite, type OneCellWrite } from './one-cell-write.ts';
import { migrateDataTables } from './migrate-data-tables.ts';
import { migrateStore } from './migrations.ts';
import type { Db } from './open-database.ts';
import { META_TABLE, sqlTables, type SqlTable } from './sql-columns.ts';
import { fromSql } from './sql-values.ts';
import { createPendingCells } from './pending-cells.ts';
import { NEWEST_KEY, RING_KEY, createPulledInRow } from './pulled-in-row.ts';
import { createRowWriter } from './row-writer.ts';
import { createWinnerCache } from './winner-cache.ts';
import { GENERATION_KEY, createUnpushedInRow } from './unpushed-in-row.ts';
import { createWinnerReads } from './winner-reads.ts';

export type DataRow = Readonly<Record<string, JsonValue>>;

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

/** Thrown by a read transaction that found unpushed lists to copy: the query runs again, IMMEDIATE (sqlite-store.ts `readOrCopy`). */
const copyFirst = new Error('the query copies unpushed messages: it runs again as a write');

const newestOf = (a: string | null, b: string | null): string | null => (a === null || (b !== null && b > a) ? b : a);

/** Each message once (the first of each hlc): a kept pulled message may be in the log too. */
function distinct(list: StoredMessage[]): StoredMessage[] {
  const seen = new Set<string>();
  return list.filter((m) => !seen.has(m.hlc) && (seen.add(m.hlc), true));
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
  let opened: {
    readonly tables: ReadonlyMap<string, SqlTable>;
    readonly log: MessageLog;
    readonly checkpoints: Checkpoints;
    readonly applier: ReturnType<typeof createCommitApplier>;
    readonly oneCell: OneCellWrite;
    readonly meta: { all: Statement<[], { key: string; value: string }>; set: Statement<[string, string]> };
  } | null = null;
  const pending = createPendingCells(db);
  const unpushed = createUnpushedInRow(db);
  const winnerCache = createWinnerCache();
  const pulled = createPulledInRow(db);
  const keptMoves = createKeptMoves(db);
  const rowStatements = new Map<string, Statement<[string]>>();
  const winnerReads = createWinnerReads(db);

  const ready = () => {
    if (!opened) throw new StoreError('the store is not open');
    return opened;
  };
  /** A data table for a read: one the schema does not declare is a SchemaError (a misspelt name read as empty before). */
  const readTable = (table: string): SqlTable => {
    const t = ready().tables.get(table);
    if (!t) throw new SchemaError(`no table ${errorText(table).slice(0, 100)} in the schema`);
    return t;
  };

  function checkWrites(c: Commit, known: ReadonlyMap<string, SqlTable>): void {
    const writes = c.writes ?? [];
    for (let i = 0; i < writes.length; i++) {
      const w = writes[i] as CellWrite;
      if (!known.get(w.table)?.columns.has(w.column)) {
        throw new SchemaError(`store: ${String(w.table).slice(0, 80)}.${String(w.column).slice(0, 80)} is not in the schema`);
      }
    }
  }

  function decodeRow(table: SqlTable, raw: Record<string, unknown>): DataRow {
    const out: Record<string, JsonValue> = {};
    for (const c of table.columns.values()) out[c.name] = fromSql(c.type, raw[c.name]);
    return out;
  }

  /** Whether every write of `c` is of one of `cells` (what the store knows of them holds for its writes). */
  const writesAsked = (c: Commit, cells: readonly Cell[]): boolean =>
    (c.writes ?? []).every((w) => cells.some((x) => x.row === w.row && x.column === w.column && x.table === w.table));

  /** A data row as SQLite holds it, hidden `_hlc_` columns included. */
  function readRaw(t: SqlTable, row: string): Record<string, unknown> | undefined {
    let stmt = rowStatements.get(t.name);
    if (!stmt) rowStatements.set(t.name, (stmt = db.prepare<[string]>(`SELECT * FROM ${t.sql} WHERE id = ?`)));
    return stmt.get(row) as Record<string, unknown> | undefined;
  }

  /**
   * The marks kept in memory are those of the database: another connection to the file (a
   * background syncer, a second process) may have committed since this one last looked, and
   * `PRAGMA data_version` says so. Then they are read again. Inside a transaction it costs
   * next to nothing; outside, a read of its own, so only queries that use the marks ask.
   */
  let seenVersion = -1;
  let dataVersion: Statement<[], number> | null = null;
  /**
   * The greatest hlc stored when another connection was last seen to have committed, until
   * this connection's next local write has passed it to its plan (transactTx); null when no
   * other connection has committed since. Both connections' clients read the clientId from
   * the file, and each has its own clock: without this, a write here and one there in the
   * same millisecond got one hlc for two cells, and the server, which keeps each hlc once,
   * dropped one. Kept until a local write, not only for the refresh that sees it: a pull or
   * a query may be what notices the other connection's commit.
   */
  let unseenNewest: string | null = null;
  function refresh(): void {
    const { tables, log, applier } = ready();
    const v = (dataVersion ??= db.prepare<[], number>('PRAGMA data_version').pluck()).get() as number;
    if (v === seenVersion) return;
    // Refused until this connection opens the file again: nothing is written or read with the wrong type.
    const changed = typesChanged(db, tables);
    if (changed !== null) throw new SchemaError(changed);
    seenVersion = v;
    winnerCache.clear(); // another connection committed: its writes are not in the cache
    pending.load(tables);
    unpushed.load(tables);
    const newest = newestOf(newestOf(log.maxHlc(), pending.newest), pulled.newestHlc());
    applier.resync(newest);
    unseenNewest = newestOf(unseenNewest, newest);
  }

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
      refresh();
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

  /**
   * A commit that gives the file a clientId when it holds another is refused, all of it: two
   * processes that opened a new file at once (an app and its background syncer started
   * together) each made one, and the file kept the last. The other's writes, stamped with
   * its own, were all refused by the server (it takes from a client only hlcs that end with
   * its clientId). Refused here, inside the commit's IMMEDIATE transaction, the first one
   * stays, and the client opens again and takes it (client-state.ts).
   */
  let clientIdRead: Statement<[string], string> | null = null;
  function keepClientId(c: Commit): void {
    const claimed = c.meta?.[META.clientId];
    if (claimed === undefined) return;
    const held = (clientIdRead ??= db.prepare<[string], string>(`SELECT value FROM ${META_TABLE} WHERE key = ?`).pluck()).get(META.clientId);
    if (held !== undefined && held !== claimed) throw new StoreError(`another connection gave this file its clientId (${held}) first: a commit that sets another is refused`);
  }

  /** A query that may copy: read-only while this connection knows of no lists in rows, IMMEDIATE once it finds some. */
  function readOrCopy(q: MessageQuery): StoredMessage[] {
    try {
      return readMessages(q, false);
    } catch (err) {
      if (err !== copyFirst) throw err;
      return readMessages.immediate(q, true);
    }
  }

  /**
   * The data version when `winners()` was last read. A sync reads its cells' winners, plans
   * the merge, then commits, and no transaction spans the three: in one process the client's
   * lock keeps its local writes out of the gap, but another connection's (a second process)
   * landed in it, and the pulled, older message was written over the newer local one. The
   * file showed the older value for good; every other device, the newer.
   */
  let winnersVersion = -1;
  /**
   * `c` without the writes to cells that another connection gave a greater winner since
   * `winners()` was read (their messages are still inserted, as losers). A winner the commit
   * updates or removes is no reason: a refused winner's repair falls back to an older message.
   */
  function stillWinning(c: Commit): Commit {
    const writes = c.writes;
    if (!writes?.length || winnersVersion === seenVersion) return c;
    const held = winnerReads.read(writes, ready().tables);
    const replaced = new Set([...(c.update ?? []).map((u) => u.hlc), ...(c.remove ?? [])]);
    const kept = writes.filter((w) => {
      const now = held.get(cellKey(w.table, w.row, w.column));
      return w.hlc === null || now === undefined || now <= w.hlc || replaced.has(now);
    });
    return kept.length === writes.length ? c : { ...c, writes: kept };
  }

  const applyCommit = db.transaction((c: Commit): number => {
    refresh();
    keepClientId(c);
    unpushed.copyAll(); // acks, refusals and removals find them in the outbox
    return ready().applier.apply(stillWinning(c));
  });

  // A local write: its winners read and its commit in one IMMEDIATE transaction. No other
  // connection commits in between, and the read costs no read transaction of its own; for
  // cells this connection wrote last, the cache answers (valid: refresh() has just checked
  // that nobody else committed).
  // A kept pulled message in one of the cells (mark 2) must move to the log before the write
  // (kept-moves.ts): the cache answers only for cells this connection's local writes wrote
  // last, which hold none; the winners' read sees their marks.
  const transactTx = db.transaction((cells: readonly Cell[], plan: (newest: string | null) => Commit): Commit => {
    refresh();
    const { tables, applier, oneCell } = ready();
    const cached = winnerCache.newest(cells);
    const read = cached === undefined ? winnerReads.newest(cells, tables) : null;
    const newest = read === null ? (cached as string | null) : read.newest;
    const kept = read !== null && read.kept;
    // The plan's clock moves past `newest` before it stamps: past another connection's
    // writes too once one has committed (see unseenNewest). `newest` itself stays the
    // cells' winner below: the one-cell write finds the cell's marked message by it.
    const c = plan(unseenNewest === null ? newest : newestOf(newest, unseenNewest));
    check('commit', c); // an app's own plan: thrown here, it rolls the transaction back
    unseenNewest = null;
    // One cell (the fast path's case): its winner, whose row exists and whose mark it holds.
    if (cells.length === 1 && oneCell.write(c, cells[0] as Cell, newest, kept)) return c;
    checkWrites(c, tables);
    if (c.update?.length || c.remove?.length) unpushed.copyAll();
    applier.apply(c, !kept && writesAsked(c, cells));
    return c;
  });

  /** Both lists in hlc order (`dir` 1 oldest first, -1 newest first), each message once, at most `limit`. */
  const merged = (a: StoredMessage[], b: StoredMessage[], dir: 1 | -1, limit: number): StoredMessage[] =>
    b.length === 0 ? a : distinct([...a, ...b].sort((x, y) => (x.hlc < y.hlc ? -dir : x.hlc > y.hlc ? dir : 0))).slice(0, limit);

  const store: SqliteStore = {
    db,

    open(schema: Schema): StoreState {
      check('open', schema);
      const next = sqlTables(schema); // throws on reserved table names, before anything changes
      // One transaction: the migration, the marks and the greatest hlc are of one state of
      // the file, and `seenVersion` is that state's: a commit of another connection after it
      // is seen by the next refresh(), and the next local write's clock moves past it.
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
        seenVersion = (dataVersion ??= db.prepare<[], number>('PRAGMA data_version').pluck()).get() as number;
        return { log, meta, maxHlc: newestOf(newestOf(log.maxHlc(), pending.newest), pulled.newestHlc()) };
      }).immediate();
      unseenNewest = null; // the client's clock starts after maxHlc
      const checkpoints = opened?.checkpoints ?? createCheckpoints(db, options.checkpoints);
      keptMoves.clear(); // statements prepared for the previous schema's columns
      const applier = createCommitApplier({ tables: next, log, pending, writer: createRowWriter(db, next), pulled, moves: keptMoves, setMeta: (k, v) => meta.set.run(k, v) }, maxHlc);
      const oneCell = createOneCellWrite(db, { tables: next, log, pending, unpushed, moves: keptMoves, isNew: applier.isNew, stored: (hlc) => applier.stored(hlc) });
      opened = { tables: next, log, meta, checkpoints, applier, oneCell };
      // Statements prepared for the previous schema may name other columns.
      rowStatements.clear();
      winnerReads.clear();
      winnerCache.clear();
      const entries: Record<string, string> = {};
      for (const { key, value } of meta.all.all()) if (key !== RING_KEY && key !== NEWEST_KEY && key !== GENERATION_KEY) entries[key] = value;
      return { meta: entries, maxHlc, pendingCount: log.pendingCount() + pending.count + unpushed.count };
    },

    winners(cells: readonly Cell[]) {
      check('winners', cells);
      // Read first: a commit of another connection after it, before the winners' read, is checked again (stillWinning).
      winnersVersion = (dataVersion ??= db.prepare<[], number>('PRAGMA data_version').pluck()).get() as number;
      return winnerReads.read(cells, ready().tables);
    },

    transact(cells, plan) {
      check('transact', cells, plan);
      const { tables, checkpoints } = ready();
      let c: Commit;
      try {
        c = transactTx.immediate(cells, plan);
      } catch (err) {
        pending.load(tables); // the marks as the rolled-back database has them
        unpushed.load(tables);
        winnerCache.clear();
        throw err;
      }
      // The cache stands for "this cell holds no kept pulled message" too (kept-moves.ts): it
      // learns only the cells of a commit whose messages are all this client's.
      if (c.insert?.every((m) => m.local) !== false) winnerCache.committed(c.writes ?? []);
      else winnerCache.clear();
      checkpoints.committed((c.insert?.length ?? 0) + (c.writes?.length ?? 0) + (c.update?.length ?? 0) + unpushed.takeCopied());
    },

    values(cells: readonly Cell[]) {
      // Only for what the library reports (replaced values, device names): one row read per cell.
      check('values', cells);
      const out = new Map<string, CellValue>();
      for (const c of cells) {
        const t = ready().tables.get(c.table);
        const column = t?.columns.get(c.column);
        if (!t || !column) continue;
        const raw = readRaw(t, c.row);
        const hlc = raw?.[`_hlc_${c.column}`];
        if (typeof hlc === 'string') out.set(cellKey(c.table, c.row, c.column), { value: fromSql(column.type, raw?.[c.column]), hlc });
      }
      return out;
    },

    messages(q: MessageQuery) {
      check('messages', q);
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
    },

    commit(c: Commit) {
      check('commit', c);
      const { tables, checkpoints } = ready();
      checkWrites(c, tables); // nothing is written for a commit that touches an undeclared cell
      if (c.writes?.length) winnerCache.clear(); // the cache knows only what local writes wrote
      let written: number;
      try {
        written = applyCommit.immediate(c);
      } catch (err) {
        pending.load(tables); // the marks as the rolled-back database has them
        unpushed.load(tables);
        throw err;
      }
      checkpoints.committed(written + unpushed.takeCopied()); // the rows it wrote: kept pulled messages are none
    },

    close() {
      opened?.checkpoints.stop();
      if (db.open) db.close();
    },

    readRow(table, row) {
      const t = readTable(table);
      if (typeof row !== 'string') throw invalidArgument('readRow(table, row): row must be a string');
      const raw = readRaw(t, row);
      return raw ? decodeRow(t, raw) : undefined;
    },

    rows(table, options) {
      const out = new Map<string, DataRow>();
      const t = readTable(table);
      const withDeleted = readsDeleted('rows(table, options)', options);
      for (const raw of db.prepare(`SELECT * FROM ${t.sql}`).iterate() as IterableIterator<Record<string, unknown>>) {
        const decoded = decodeRow(t, raw);
        if (decoded._deleted === true && !withDeleted) continue;
        out.set(raw.id as string, decoded);
      }
      return out;
    },
  };
  storeOfConnection.set(db, { store, options: asked });
  return store;
}
