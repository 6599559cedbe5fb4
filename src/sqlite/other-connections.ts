/**
 * What the SQLite store knows of other connections to its file (a background syncer, a
 * second process): whether one has committed since this one last looked (`PRAGMA
 * data_version`), the marks kept in memory read again when one has, the greatest hlc it
 * stored passed on to the next local write's clock, and a pulled page's writes that one of
 * its newer winners now beats. Separate from the store (sqlite-store.ts) because each of
 * these rules was a separate loss of writes with two processes on one file, and the queries
 * and the commit path both ask it.
 */
import { SchemaError, cellKey, type Commit } from '../sync/index.ts';
import type { Statement } from 'better-sqlite3';
import { typesChanged } from './column-types.ts';
import { newestOf, storedNewest, type StoreParts } from './store-parts.ts';

export type ConnectionWatch = ReturnType<typeof createConnectionWatch>;

export function createConnectionWatch(parts: StoreParts) {
  const { db, pending, unpushed, winnerCache, winnerReads, ready } = parts;
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
   * this connection's next local write has passed it to its plan (commit-path.ts); null when
   * no other connection has committed since. Both connections' clients read the clientId
   * from the file, and each has its own clock: without this, a write here and one there in
   * the same millisecond got one hlc for two cells, and the server, which keeps each hlc
   * once, dropped one. Kept until a local write, not only for the refresh that sees it: a
   * pull or a query may be what notices the other connection's commit.
   */
  let unseenNewest: string | null = null;
  /**
   * The data version when `winners()` was last read. A sync reads its cells' winners, plans
   * the merge, then commits, and no transaction spans the three: in one process the client's
   * lock keeps its local writes out of the gap, but another connection's (a second process)
   * landed in it, and the pulled, older message was written over the newer local one. The
   * file showed the older value for good; every other device, the newer.
   */
  let winnersVersion = -1;

  const version = (): number => (dataVersion ??= db.prepare<[], number>('PRAGMA data_version').pluck()).get() as number;

  return {
    /** Reads the marks again if another connection has committed since this one last looked. */
    refresh(): void {
      const { tables, log, applier } = ready();
      const v = version();
      if (v === seenVersion) return;
      // Refused until this connection opens the file again: nothing is written or read with the wrong type.
      const changed = typesChanged(db, tables);
      if (changed !== null) throw new SchemaError(changed);
      seenVersion = v;
      winnerCache.clear(); // another connection committed: its writes are not in the cache
      pending.load(tables);
      unpushed.load(tables);
      const newest = storedNewest(log, parts);
      applier.resync(newest);
      unseenNewest = newestOf(unseenNewest, newest);
    },

    /** open(), inside its transaction: the state it read is the one seen. */
    seeNow(): void {
      seenVersion = version();
    },

    /** What the next local write's plan gets: `newest`, or past another connection's writes once one has committed. */
    planNewest(newest: string | null): string | null {
      return unseenNewest === null ? newest : newestOf(newest, unseenNewest);
    },

    /** A local write's plan has passed the clock on (or open() has started it after maxHlc). */
    clearUnseen(): void {
      unseenNewest = null;
    },

    /** winners(), before it reads: a commit of another connection after this is checked again (stillWinning). */
    winnersRead(): void {
      winnersVersion = version();
    },

    /**
     * `c` without the writes to cells that another connection gave a greater winner since
     * `winners()` was read (their messages are still inserted, as losers). A winner the commit
     * updates or removes is no reason: a refused winner's repair falls back to an older message.
     */
    stillWinning(c: Commit): Commit {
      const writes = c.writes;
      if (!writes?.length || winnersVersion === seenVersion) return c;
      const held = winnerReads.read(writes, ready().tables);
      const replaced = new Set([...(c.update ?? []).map((u) => u.hlc), ...(c.remove ?? [])]);
      const kept = writes.filter((w) => {
        const now = held.get(cellKey(w.table, w.row, w.column));
        return w.hlc === null || now === undefined || now <= w.hlc || replaced.has(now);
      });
      return kept.length === writes.length ? c : { ...c, writes: kept };
    },
  };
}
