/**
 * The repairs that a server's answer calls for: the two for a refusal of one message, and
 * starting over with a server that lost messages. Each runs inside the client's store queue
 * and commits in one transaction.
 */
import { HLC_PREFIX, hlcMillis } from './hlc.ts';
import { beyondReach } from './hybrid-clock.ts';
import { byHlc, cellKey, messageOf, sameChange, type Message } from './message.ts';
import type { ReplacedCell } from './replaced-cells.ts';
import type { SyncRunContext } from './sync-run.ts';
import { META, unpushed, type CellWrite, type StoredMessage } from './store.ts';

const ALL = Number.MAX_SAFE_INTEGER;

/**
 * `invalid_message`: the server will never take this message. It is set aside, visibly,
 * with the server's reason, and stops counting for its cell, which falls back to the best
 * remaining message (or to null): other replicas never see it, so neither may this one.
 */
export async function rejectMessage(ctx: SyncRunContext, m: StoredMessage, reason: string): Promise<void> {
  const cell = { table: m.table, row: m.row, column: m.column };
  const winners = await ctx.store.winners([cell]);
  const writes: CellWrite[] = [];
  if (m.applied && winners.get(cellKey(m.table, m.row, m.column)) === m.hlc) {
    const others = (await ctx.store.messages({ kind: 'cell', ...cell })).filter((o) => o.hlc !== m.hlc);
    // The greatest. Index arithmetic, not .at(-1): Hermes before React Native 0.71 has no .at.
    const best = others.sort(byHlc)[others.length - 1];
    writes.push({ ...cell, value: best ? best.value : null, hlc: best ? best.hlc : null });
  }
  const c = ctx.counters;
  // Set aside: it no longer counts as pending, but as rejected.
  await c.commit(ctx.store, { update: [{ hlc: m.hlc, applied: false, error: reason }], writes }, { pending: Math.max(0, c.pending - 1), rejected: c.rejected + 1 });
  if (writes.length > 0) ctx.onChange('local', { [m.table]: [m.row] });
  ctx.onProgress();
}

/**
 * `clock_drift`: the message at `pivot` is too far ahead of the server's clock. So is every
 * later local message the server has not taken, since timestamps only grow. The server
 * checks drift on every push and its clock only moves forward, so it cannot have accepted
 * any of them before: they are safe to re-issue. They are given new timestamps, in their
 * original order, and keep their values. Each is moved back by the correction just learnt
 * (`shiftMs`), to about when it was really made: stamped at the time of the repair, a week
 * offline with a clock an hour ahead would win every conflict over that week, against
 * edits other devices made later. But never back past a message that stays (the device may
 * have seen it before the write: an edit must beat what it edited), nor past the corrected
 * clock. So every re-issued timestamp is still greater than every message that stays, and
 * each still wins the cells it won; those cells are written again with its new timestamp.
 *
 * With `notAfter` (a second repair in one run: the first did not help), the clock starts
 * again from the newest message that stays and is this client's own or not later than
 * `notAfter` (the server's clock). A message of another device that the server took under a
 * looser limit (its limit was lowered, its clock was ahead) would otherwise pull every
 * re-issued timestamp past the limit again, and this device could neither push nor pull
 * until the real time caught up, days perhaps. Re-issued timestamps may then be below such a
 * message, which wins its cell as it does on every device that never saw it.
 */
export async function restampFrom(ctx: SyncRunContext, pivot: string, notAfter: number | null = null, shiftMs = 0): Promise<void> {
  // Never empty: the pivot itself is pending.
  const stale = (await unpushed(ctx.store)).filter((m) => m.hlc >= pivot).sort(byHlc);
  const staleHlcs = new Set(stale.map((m) => m.hlc));
  ctx.clock.restore(await restartFrom(ctx, staleHlcs, notAfter));
  const now = ctx.clock.physicalNow();
  const fresh = stale.map((m) => ({ ...m, hlc: ctx.clock.tickAt(Math.min(hlcMillis(m.hlc) + shiftMs, now)) }));
  const renamed = new Map(stale.map((m, i) => [m.hlc, fresh[i] as StoredMessage]));
  const winners = await ctx.store.winners(stale);
  const writes: CellWrite[] = [];
  const changed: Record<string, string[]> = {};
  const replaced: ReplacedCell[] = [];
  for (const hlc of winners.values()) {
    const winner = renamed.get(hlc);
    if (!winner) continue;
    // Below a message that stays (only with notAfter): that one wins the cell now. This
    // device's value is replaced by another's, as by a pull: the app hears of it ('replaced').
    const staying = notAfter === null ? undefined : await bestStaying(ctx, winner, staleHlcs);
    if (staying && staying.hlc > winner.hlc) {
      writes.push(messageOf(staying));
      addRow(changed, winner.table, winner.row);
      const { table, row, column } = winner;
      replaced.push({ table, row, column, previous: { value: winner.value, hlc: winner.hlc }, next: { value: staying.value, hlc: staying.hlc } });
    } else {
      writes.push(messageOf(winner));
    }
  }
  await ctx.store.commit({
    remove: stale.map((m) => m.hlc),
    insert: fresh,
    writes,
    meta: { [META.clockOffset]: String(ctx.clock.offsetMs) },
  });
  if (Object.keys(changed).length > 0) ctx.onChange('remote', changed);
  if (replaced.length > 0 && ctx.wantsReplaced()) ctx.onReplaced(replaced);
}

/**
 * A first pull since opening brings back this client's own messages (docs/protocol.md, "Own
 * messages"), but for exact copies of those the request pushed. One with the `hlc` of a
 * message of this client's that has other content was lost with a store restored from a
 * backup, and that `hlc` was issued again since, by a clock that read no later than the lost
 * write (set back meanwhile, or in the same millisecond): the server, which holds the lost
 * write under it, took the new one as a copy and kept the lost one. The new one gets a new
 * `hlc`, past the pulled ones, keeps its value, and is pending again: a write made after the
 * lost ones, it wins its cell, here as on every device that gets it, even where a message
 * pulled before the re-stamp beat it. It is looked for among the pending and set aside
 * messages (a push of this request is still pending) and among `pushedBefore`, what earlier
 * requests of this pull pushed. Returns the re-stamped messages' old hlcs.
 */
export async function restampTaken(ctx: SyncRunContext, incoming: readonly Message[], pushedBefore: ReadonlyMap<string, StoredMessage>): Promise<ReadonlySet<string>> {
  const c = ctx.counters;
  // Its own: the hlc ends with its clientId after the 30 characters of time and counter (a
  // first pull after opening is often a whole catch-up: nothing is sliced per message).
  const id = ctx.clientId;
  const own = incoming.filter((m) => m.hlc.length === HLC_PREFIX + id.length && m.hlc.endsWith(id));
  if (own.length === 0) return new Set();
  const mine = new Map(pushedBefore);
  if (c.pending + c.rejected > 0) for (const m of await unpushed(ctx.store)) mine.set(m.hlc, m);
  const taken: StoredMessage[] = [];
  for (const m of own) {
    const local = mine.get(m.hlc);
    if (local && !sameChange(local, m)) taken.push(local);
  }
  const old = new Set(taken.map((m) => m.hlc));
  if (taken.length === 0) return old;
  ctx.clock.receive(own.reduce((max, m) => (m.hlc > max ? m.hlc : max), ''));
  const fresh = taken.sort(byHlc).map((m) => ({ ...m, hlc: ctx.clock.tick(), synced: false }));
  // Each cell's greatest re-stamped message (in order: the last is the greatest) wins it,
  // unless a message that stays is greater (one held past the clock: restampFrom's notAfter).
  // That one holds the cell already (every old hlc is below the re-stamp): nothing changes.
  const newest = new Map(fresh.filter((m) => m.applied).map((m) => [cellKey(m.table, m.row, m.column), m]));
  const writes: CellWrite[] = [];
  for (const m of newest.values()) {
    const staying = await bestStaying(ctx, m, old);
    if (!staying || staying.hlc < m.hlc) writes.push(messageOf(m));
  }
  // Those pushed before were counted out of pending: they count again.
  const resent = taken.filter((m) => pushedBefore.has(m.hlc)).length;
  await c.commit(ctx.store, { remove: [...old], insert: fresh, writes }, { pending: c.pending + resent });
  if (writes.length > 0) ctx.onChange('local', rowsOf(writes));
  return old;
}

/** The rows of `writes`, by table, as change events give them. */
function rowsOf(writes: readonly CellWrite[]): Record<string, string[]> {
  const rows: Record<string, string[]> = {};
  for (const w of writes) addRow(rows, w.table, w.row);
  return rows;
}

/**
 * Adds `row` to `table`'s list in `rows`, once. An own list: a table may be named like an
 * Object member (`constructor`), whose inherited value is no list (merge.ts does the same).
 */
function addRow(rows: Record<string, string[]>, table: string, row: string): void {
  const list = Object.hasOwn(rows, table) ? (rows[table] as string[]) : (rows[table] = []);
  if (!list.includes(row)) list.push(row);
}

/**
 * The timestamp the clock starts again from: the newest message that stays (and fits
 * `notAfter`), but not one of year 9999 the physical clock has not reached, which the receive
 * rule refuses and an opening skips (hybrid-clock.ts `beyondReach`): a store that took one
 * before round 67 made the clock start again from it, and the re-stamp ran out of timestamps
 * (a ClockError), as did every later write (until round 68).
 */
async function restartFrom(ctx: SyncRunContext, stale: ReadonlySet<string>, notAfter: number | null): Promise<string | null> {
  const now = ctx.clock.physicalNow();
  const fits = (m: StoredMessage): boolean => !stale.has(m.hlc) && (notAfter === null || m.local || hlcMillis(m.hlc) <= notAfter) && !beyondReach(hlcMillis(m.hlc), now);
  for (let limit = stale.size + 1; ; limit *= 4) {
    const newest = await ctx.store.messages({ kind: 'recent', limit });
    const found = newest.find(fits);
    if (found) return found.hlc;
    if (newest.length < limit) return null;
  }
}

/** The greatest message of `cell`'s cell that stays (none set aside). */
async function bestStaying(ctx: SyncRunContext, cell: StoredMessage, stale: ReadonlySet<string>): Promise<StoredMessage | undefined> {
  const others = await ctx.store.messages({ kind: 'cell', table: cell.table, row: cell.row, column: cell.column });
  const staying = others.filter((m) => !stale.has(m.hlc) && m.error === null).sort(byHlc);
  return staying[staying.length - 1];
}

/**
 * The server's log has another epoch than the cursor's: its database was replaced, or
 * restored from a backup, and may lack messages this client pushed. The client starts over:
 * its cursor goes back to 0 (pulling everything again changes nothing it already has), and
 * every message of its own that the server held becomes pending again, to be pushed again;
 * the server keeps each `(user, hlc)` once. Only the five store functions are needed: the
 * `recent` query finds the client's own messages, a flag update makes them pending.
 */
export async function restartHistory(ctx: SyncRunContext, epoch: string): Promise<void> {
  const resend = (await ctx.store.messages({ kind: 'recent', limit: ALL })).filter((m) => m.local && m.synced);
  const c = ctx.counters;
  await c.commit(ctx.store, { update: resend.map((m) => ({ hlc: m.hlc, synced: false })) }, { cursor: 0, epoch, pending: c.pending + resend.length });
  ctx.onProgress();
}
