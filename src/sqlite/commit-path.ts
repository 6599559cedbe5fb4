/**
 * The SQLite store's writes: `commit(c)` and `transact(cells, plan)` of the store contract,
 * each one `IMMEDIATE` transaction (all or nothing; the write lock taken up front, so two
 * connections on one file wait for each other instead of failing half-way), and what the
 * store keeps in memory set right after one: the marks read again after a rollback, the
 * winner cache, the WAL's count of written rows (checkpoints.ts). Separate from the store
 * (sqlite-store.ts), which opens the file and answers the reads; apply-commit.ts does a
 * commit's work inside the transaction, and one-cell-write.ts a local write's fast path.
 */
import { SchemaError, StoreError, type Cell, type CellWrite, type Commit, type StoredMessage } from '../sync/index.ts';
import type { Statement } from 'better-sqlite3';
import { META } from '../sync/store.ts';
import { checkStoreCall as check } from '../sync/store-calls.ts'; // an app's own calls of the contract's methods
import type { ConnectionWatch } from './other-connections.ts';
import { META_TABLE, type SqlTable } from './sql-columns.ts';
import type { StoreParts } from './store-parts.ts';

/** A write to a cell the schema does not declare is a SchemaError, and nothing of its commit is written. */
function checkWrites(c: Commit, known: ReadonlyMap<string, SqlTable>): void {
  const writes = c.writes ?? [];
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i] as CellWrite;
    if (!known.get(w.table)?.columns.has(w.column)) {
      throw new SchemaError(`store: ${String(w.table).slice(0, 80)}.${String(w.column).slice(0, 80)} is not in the schema`);
    }
  }
}

/** Whether every write of `c` is of one of `cells` (what the store knows of them holds for its writes). */
const writesAsked = (c: Commit, cells: readonly Cell[]): boolean =>
  (c.writes ?? []).every((w) => cells.some((x) => x.row === w.row && x.column === w.column && x.table === w.table));

/** Whether every message `c` inserts is this client's (a loop: no callback made per local write). */
function allLocal(c: Commit): boolean {
  const insert = c.insert;
  if (insert) for (let i = 0; i < insert.length; i++) if (!(insert[i] as StoredMessage).local) return false;
  return true;
}

export interface CommitPath {
  /** `commit(c)`, its arguments already checked. */
  commit(c: Commit): void;
  /** `transact(cells, plan)`, its arguments already checked. */
  transact(cells: readonly Cell[], plan: (newest: string | null) => Commit): void;
}

export function createCommitPath(parts: StoreParts, watch: ConnectionWatch): CommitPath {
  const { db, pending, unpushed, winnerCache, winnerReads, ready } = parts;

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

  const applyCommit = db.transaction((c: Commit): number => {
    watch.refresh();
    keepClientId(c);
    unpushed.copyAll(); // acks, refusals and removals find them in the outbox
    return ready().applier.apply(watch.stillWinning(c));
  });

  // A local write: its winners read and its commit in one IMMEDIATE transaction. No other
  // connection commits in between, and the read costs no read transaction of its own; for
  // cells this connection wrote last, the cache answers (valid: refresh() has just checked
  // that nobody else committed).
  // A kept pulled message in one of the cells (mark 2) must move to the log before the write
  // (kept-moves.ts): the cache answers only for cells this connection's local writes wrote
  // last, which hold none; the winners' read sees their marks.
  const transactTx = db.transaction((cells: readonly Cell[], plan: (newest: string | null) => Commit): Commit => {
    watch.refresh();
    const { tables, applier, oneCell } = ready();
    const cached = winnerCache.newest(cells);
    const read = cached === undefined ? winnerReads.newest(cells, tables) : null;
    const newest = read === null ? (cached as string | null) : read.newest;
    const kept = read !== null && read.kept;
    // The plan's clock moves past `newest` before it stamps: past another connection's
    // writes too once one has committed (other-connections.ts). `newest` itself stays the
    // cells' winner below: the one-cell write finds the cell's marked message by it.
    const c = plan(watch.planNewest(newest));
    check('commit', c); // an app's own plan: thrown here, it rolls the transaction back
    watch.clearUnseen();
    // One cell (the fast path's case): its winner, whose row exists and whose mark it holds.
    if (cells.length === 1 && oneCell.write(c, cells[0] as Cell, newest, kept)) return c;
    checkWrites(c, tables);
    if (c.update?.length || c.remove?.length) unpushed.copyAll();
    applier.apply(c, !kept && writesAsked(c, cells));
    return c;
  });

  return {
    transact(cells, plan) {
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
      if (allLocal(c)) winnerCache.committed(c.writes ?? []);
      else winnerCache.clear();
      checkpoints.committed((c.insert?.length ?? 0) + (c.writes?.length ?? 0) + (c.update?.length ?? 0) + unpushed.takeCopied());
    },

    commit(c) {
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
  };
}
