/**
 * The hybrid logical clock of docs/protocol.md section 2 that issues a client's timestamps:
 * the send and receive rules, pure, and the clock that applies them with the client's
 * physical clock, its learnt correction and its last state. The timestamps' text is hlc.ts.
 */
import { ClockError, invalidArgument } from './errors.ts';
import { setBackBy, watchSetBack, type SetBackWatch } from './clock-set-back.ts';
import { HEX, MAX_COUNTER, MAX_MILLIS, checkClientId, parseHlc } from './hlc.ts';

/** A clock's state: the last timestamp it issued or received, without its clientId. */
export interface ClockState {
  readonly millis: number;
  readonly counter: number;
}

/**
 * The state after `(millis, counter)`. When the counter is full the logical time moves on
 * by one millisecond, past the physical time if need be: a burst of more than 65 536
 * timestamps within one millisecond (or pinned to a timestamp received from a clock that
 * runs ahead) never fails, and every timestamp stays greater than the one before.
 */
function after(millis: number, counter: number): ClockState {
  if (counter < MAX_COUNTER) return { millis, counter: counter + 1 };
  if (millis >= MAX_MILLIS) throw new ClockError(`HLC time overflow: no timestamp after ${new Date(millis).toISOString()}`);
  return { millis: millis + 1, counter: 0 };
}

/** 9999-01-01T00:00:00.000Z: the start of the last year the HLC form can express. */
const LAST_YEAR = Date.UTC(9999, 0, 1);

/**
 * A timestamp of the HLC range's last year, ahead of the physical clock: no clock that works
 * issues one (round 67, attacker review). Taken by the receive rule, a hostile server's
 * message stamped 9999-12-31T23:59:59.999Z-FFFE left the clock one timestamp: every later
 * write failed with clock_overflow, at every opening too (the clock starts from the greatest
 * timestamp the store holds). Any earlier time leaves a year of milliseconds, 65 536 each; one
 * far ahead but before it is repaired as any other (`clock_drift`, repair.ts).
 */
export const beyondReach = (millis: number, now: number): boolean => millis >= LAST_YEAR && millis > now;

/**
 * The send rule, pure: the state of the next local timestamp, given the last one and the
 * physical time now (ms, with any correction already applied).
 */
export function nextTimestamp(last: ClockState, now: number): ClockState {
  return now > last.millis ? { millis: now, counter: 0 } : after(last.millis, last.counter);
}

/**
 * The receive rule, pure: the state after seeing a remote timestamp, given the last one and
 * the physical time now. It is greater than both `last` and `remote`, so every later local
 * timestamp orders after everything this clock has seen.
 */
export function receiveTimestamp(last: ClockState, remote: ClockState, now: number): ClockState {
  if (now > last.millis && now > remote.millis) return { millis: now, counter: 0 };
  if (last.millis === remote.millis) return after(last.millis, Math.max(last.counter, remote.counter));
  return last.millis > remote.millis ? after(last.millis, last.counter) : after(remote.millis, remote.counter);
}

export interface ClockOptions {
  clientId: string;
  /** Physical clock; defaults to `Date.now`. Tests inject skewed or frozen clocks here. */
  now?: () => number;
  /** Correction added to the physical clock, learnt from the server's `serverTime`. */
  offsetMs?: number;
  /** The greatest timestamp already issued or received, restored from the store. */
  last?: string | null;
  /**
   * A monotonic clock in ms (the host's `performance.now`), with which the clock notices `now`
   * set back while it runs, and keeps its correction true (clock-set-back.ts). Without it,
   * `now` is taken as it comes: tests that inject `now` move it as they please.
   */
  monotonic?: () => number;
}

/** The host's monotonic clock (`performance.now`), where it has one: not every engine does (QuickJS). */
export function hostMonotonic(): (() => number) | undefined {
  const performance = (globalThis as { performance?: { now?: unknown } }).performance;
  const now = performance?.now;
  return typeof now === 'function' ? () => (now as () => number).call(performance) : undefined;
}

/**
 * A monotonic hybrid logical clock for one client: the pure rules above, with the client's
 * physical clock, its learnt correction and its last state. `tick()` issues timestamps for
 * local changes; `receive()` moves the clock past timestamps from other clients, so that a
 * local change made after seeing a remote one always orders after it.
 */
export class HybridClock {
  readonly clientId: string;
  #now: () => number;
  #offsetMs: number;
  #monotonic: (() => number) | undefined;
  /** What the monotonic clock is compared with; null without one. */
  #watch: SetBackWatch | null = null;
  #offsetChanges = 0;
  #state: ClockState = { millis: 0, counter: 0 };
  /** The time part (and its dash) of the timestamps of `#timeMillis`. */
  #time = '';
  #timeMillis = -1;
  /** The last timestamp `tick()` issued; null after a restore, which may set the state back before it. */
  #issued: string | null = null;
  /** The greatest timestamp the clock started from or received, and those issued before a restore: see `known`. */
  #known: string;

  constructor(options: ClockOptions) {
    checkClientId(options.clientId);
    this.clientId = options.clientId;
    this.#now = options.now ?? Date.now;
    this.#offsetMs = options.offsetMs ?? 0;
    this.#monotonic = options.monotonic;
    this.#anchor();
    this.#known = options.last ?? '';
    // A store that took such a timestamp before round 67 (receive refuses it now): the clock
    // does not start from it, or every write would fail, at every opening.
    if (options.last && !beyondReach(parseHlc(options.last).millis, this.physicalNow())) this.restore(options.last);
  }

  /** Both clocks' readings, as the reference for a fall of the local clock from here on. */
  #anchor(): void {
    this.#watch = null;
    const mono = this.#readMonotonic();
    if (mono !== undefined) this.#watch = watchSetBack(this.#now(), mono, this.#offsetMs);
  }

  /**
   * The monotonic clock's reading, or undefined. One that throws, answers no finite number or
   * goes back is no monotonic clock (a polyfill gone wrong): the clock goes on without it.
   */
  #readMonotonic(): number | undefined {
    if (this.#monotonic === undefined) return undefined;
    try {
      const mono = this.#monotonic();
      if (Number.isFinite(mono) && !(this.#watch !== null && mono < this.#watch.monoAt)) return mono;
    } catch {
      // dropped below
    }
    this.#monotonic = undefined;
    this.#watch = null;
    return undefined;
  }

  /** The physical time the clock uses: the local clock plus the learnt correction (kept true: clock-set-back.ts). */
  physicalNow(): number {
    const wall = this.#now();
    if (this.#watch !== null) {
      const mono = this.#readMonotonic();
      const add = mono === undefined ? 0 : setBackBy(this.#watch, wall, mono);
      if (add > 0) {
        this.#offsetMs = Math.round(this.#offsetMs + add);
        this.#offsetChanges++;
      }
    }
    return Math.floor(wall + this.#offsetMs);
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }

  /** How many times the correction changed (set, or grown by a set back): one to save when it moves. */
  get offsetChanges(): number {
    return this.#offsetChanges;
  }

  /** Sets the correction to the physical clock (from the server's `serverTime`). */
  setOffset(offsetMs: number): void {
    if (!Number.isFinite(offsetMs)) throw invalidArgument('offset must be finite');
    this.#offsetMs = Math.round(offsetMs);
    this.#offsetChanges++;
    this.#anchor(); // learnt for the local clock as it reads now: compared afresh from here
  }

  /** The last timestamp issued or received, as (millis, counter). */
  get state(): ClockState {
    return this.#state;
  }

  /** Issues the next timestamp for a local change. */
  tick(): string {
    return this.tickAt(this.physicalNow());
  }

  /**
   * Issues the next timestamp as if the physical clock read `physical` (ms, corrected): a
   * re-stamp after a clock repair puts each message back at about when it was made (repair.ts).
   */
  tickAt(physical: number): string {
    const next = nextTimestamp(this.#state, physical);
    const { millis, counter } = next;
    // The counter and the clientId are valid by construction; a physical clock past year
    // 9999 is not, and leaves the clock as it was: no timestamp is left to issue, the same
    // `clock_overflow` as the counter's (the app's argument was fine). The time part is
    // formatted once per millisecond, not once per timestamp: a burst of local writes shares it.
    if (millis > MAX_MILLIS) throw new ClockError(`HLC time overflow: the clock reads ${millis} ms, after year 9999`);
    if (millis !== this.#timeMillis) {
      this.#time = `${new Date(millis).toISOString()}-`;
      this.#timeMillis = millis;
    }
    this.#state = next;
    return (this.#issued = `${this.#time}${HEX[counter >> 12]}${HEX[(counter >> 8) & 15]}${HEX[(counter >> 4) & 15]}${HEX[counter & 15]}-${this.clientId}`);
  }

  /**
   * True when the next `tick()` is sure to be greater than `hlc` without receiving it: `hlc`
   * is at most the last timestamp this clock issued, and the state never went back since. A
   * string comparison (timestamps order as strings), where receiving would parse `hlc`.
   * False when unsure.
   */
  passed(hlc: string): boolean {
    return this.#issued !== null && hlc <= this.#issued;
  }

  /**
   * The greatest timestamp this clock has started from, received or issued, restores or not
   * (`''` for none): a store that one client has to itself holds none later (store-guard.ts
   * checks its `winners()` by it). Read only then: a tick does not keep it.
   */
  get known(): string {
    const issued = this.#issued;
    return issued !== null && issued > this.#known ? issued : this.#known;
  }

  /**
   * Moves the clock past a timestamp received from elsewhere (the receive rule). Not one in
   * year 9999 that the physical clock has not reached (`beyondReach`): a ClockError, the
   * clock as it was.
   */
  receive(hlc: string): void {
    const remote = parseHlc(hlc);
    const now = this.physicalNow();
    if (beyondReach(remote.millis, now)) {
      throw new ClockError(`HLC time overflow: a received timestamp in year 9999 is ahead of this clock (${hlc.slice(0, 100)}): taking it would leave too few timestamps`);
    }
    this.#state = receiveTimestamp(this.#state, remote, now); // never backwards: `#issued` stays passed
    if (hlc > this.#known) this.#known = hlc;
  }

  /**
   * Sets the clock to an exact last timestamp (or to zero). Used when the clock is restored
   * from the store, and after a `clock_drift` rejection, when timestamps that the server never
   * accepted are discarded and re-issued from the corrected clock.
   */
  restore(last: string | null): void {
    this.#known = this.known;
    this.#issued = null;
    if (last === null) {
      this.#state = { millis: 0, counter: 0 };
      return;
    }
    const { millis, counter } = parseHlc(last);
    this.#state = { millis, counter };
  }
}
