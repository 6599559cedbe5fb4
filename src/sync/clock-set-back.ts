/**
 * A local clock set back while the client runs, noticed against a monotonic clock (pure: both
 * clocks' readings are passed in; HybridClock in hlc.ts keeps the state).
 *
 * The correction the client learns from the server (`serverTime`) is learnt for the local
 * clock as it was. When NTP then puts right a clock that ran ahead, the local clock plus the
 * old correction stamps every write in the past, each to lose to other devices' older writes
 * until the next sync learns the correction again (offline: for as long as that lasts). So a
 * fall of the local clock behind the monotonic one is added to the correction, up to the lead
 * that was learnt: that is the error NTP takes away, and no more. Without a cap, a fall the
 * monotonic clock did not share for another reason (a user who sets the clock back by mistake
 * and then right again; a monotonic clock that runs a little fast, as on hosts where NTP does
 * not steer it) would push stamps into the future, to win over later writes of other devices.
 * Only a fall: the local clock running ahead of the monotonic one is also what a sleep looks
 * like (a monotonic clock stands still while the machine sleeps, on most hosts), and is taken
 * as it is. A fall within SET_BACK_MS is not one yet, but adds up with the next.
 */

/**
 * How far the local clock must fall behind the monotonic one before it counts as set back.
 * Browsers coarsen both clocks (to a millisecond, or 100 ms with fingerprinting protection).
 */
export const SET_BACK_MS = 1000;

export interface SetBackWatch {
  /** Both clocks' readings when last compared. */
  wallAt: number;
  monoAt: number;
  /** How much of a fall may still be added to the correction: the lead learnt, less what was added since. */
  credit: number;
}

/** A watch from both clocks' readings now, for the correction `offsetMs` just learnt or restored. */
export const watchSetBack = (wall: number, mono: number, offsetMs: number): SetBackWatch => ({ wallAt: wall, monoAt: mono, credit: Math.max(0, -offsetMs) });

/** What to add to the correction now (0 but after a set back), with the watch moved on. */
export function setBackBy(watch: SetBackWatch, wall: number, mono: number): number {
  const back = mono - watch.monoAt - (wall - watch.wallAt);
  if (back > 0 && back <= SET_BACK_MS) return 0; // not yet: the readings stay the reference
  watch.wallAt = wall;
  watch.monoAt = mono;
  if (!(back > SET_BACK_MS)) return 0;
  const add = Math.min(back, watch.credit);
  watch.credit -= add;
  return add;
}
