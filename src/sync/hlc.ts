/**
 * Hybrid logical clock, exactly as docs/protocol.md section 2 defines it:
 *
 *     2026-11-24T15:09:39.123Z-0000-k3J9x2QpL0aa
 *     UTC time (ms, 24 chars) - counter (4 upper-case hex) - clientId
 *
 * Timestamps order by plain string comparison, and the clientId makes the order total.
 */
import { ClockError, errorText, invalidArgument } from './errors.ts';
import { setBackBy, watchSetBack, type SetBackWatch } from './clock-set-back.ts';

export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_COUNTER = 0xffff;
/** The latest time the 24-character ISO form can express (9999-12-31T23:59:59.999Z). */
const MAX_MILLIS = 253402300799999;

export interface Timestamp {
  readonly millis: number;
  readonly counter: number;
  readonly clientId: string;
}

export function formatHlc(ts: Timestamp): string {
  // Null or undefined: a ValidationError about the time below, not a TypeError from destructuring.
  const { millis, counter, clientId } = ts ?? ({} as Partial<Timestamp>);
  if (!Number.isInteger(millis) || millis < 0 || millis > MAX_MILLIS) {
    throw invalidArgument(`HLC time out of range: ${errorText(millis).slice(0, 40)}`);
  }
  if (!Number.isInteger(counter) || counter < 0 || counter > MAX_COUNTER) {
    throw invalidArgument(`HLC counter out of range: ${errorText(counter).slice(0, 40)}`);
  }
  checkClientId(clientId);
  return hlcText(millis, counter, clientId);
}

/** The text of a timestamp whose parts are known to be valid (a clock's own). */
const hlcText = (millis: number, counter: number, clientId: string): string =>
  `${new Date(millis).toISOString()}-${counter.toString(16).toUpperCase().padStart(4, '0')}-${clientId}`;

function checkClientId(clientId: string): void {
  // test() would read undefined as the text "undefined", a valid clientId.
  if (typeof clientId !== 'string' || !CLIENT_ID_PATTERN.test(clientId)) throw invalidArgument(`clientId must match ${CLIENT_ID_PATTERN.source}`);
}

/**
 * The value of `s`'s `n` decimal digits from `at`, or -1 when one is not a digit. Like every
 * check below it reads characters only: validating a message allocates nothing.
 */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** 400 years of the Gregorian calendar, in ms: the calendar repeats after them (146,097 days). */
const CYCLE_MS = 146_097 * 86_400_000;

/**
 * The time of an HLC's first 24 characters (`YYYY-MM-DDTHH:MM:SS.mmmZ`) in milliseconds, or
 * NaN when they are not a real UTC time: a date such as 2026-02-30, which Date.parse would
 * roll over, is refused, exactly as a round trip through Date would refuse it.
 */
function timeMillis(s: string): number {
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  const ms = digits(s, 20, 3);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) return NaN;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46 || s.charCodeAt(23) !== 90) return NaN;
  // The days of a month: 31 for January, March, May, July, August, October and December
  // (odd months up to July, even ones from August: the low bit of month ^ (month >> 3)).
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 ? (leap ? 29 : 28) : 30 + ((month ^ (month >> 3)) & 1))) return NaN;
  // 400 years later, the same date falls on the same day of the cycle; and Date.UTC reads
  // years 0 to 99 as 1900 to 1999, which year + 400 never is.
  return Date.UTC(year + 400, month - 1, day, hour, minute, second, ms) - CYCLE_MS;
}

/**
 * The last valid timestamp's date and time to the second (`YYYY-MM-DDTHH:MM:SS.`, 20
 * characters), and that second in ms. Timestamps come in runs of one second (a page of pulled
 * messages, a burst of writes): one that starts the same needs only its milliseconds read.
 */
let secondText: string | null = null;
let secondMillis = 0;

function cachedTimeMillis(s: string): number {
  if (secondText !== null && s.startsWith(secondText)) {
    const ms = digits(s, 20, 3);
    return ms < 0 || s.charCodeAt(23) !== 90 ? NaN : secondMillis + ms;
  }
  const t = timeMillis(s);
  if (!Number.isNaN(t)) {
    // A copy of its own: V8 keeps a slice of 13 characters or more as a view into `s`, and
    // `startsWith` against such a view costs about 15 ns more per call (isHlc: 96 → 80 ns).
    // toLowerCase() changes the `T`, so it copies; toUpperCase() changes it back, in a copy
    // again. About 70 ns, against 320 for split('').join('') (a string per character).
    secondText = s.slice(0, 20).toLowerCase().toUpperCase();
    secondMillis = t - digits(s, 20, 3);
  }
  return t;
}

const HEX = '0123456789ABCDEF';

/** `[0-9A-F]` */
const isUpperHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 70);
/** `[A-Za-z0-9_-]` */
const isIdChar = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45;

/** The parts of an HLC after its time: its length, the dashes, the counter and the clientId. */
function hasHlcTail(value: string): boolean {
  const n = value.length;
  if (n < 31 || n > 94 || value.charCodeAt(24) !== 45 || value.charCodeAt(29) !== 45) return false;
  for (let i = 25; i < 29; i++) if (!isUpperHex(value.charCodeAt(i))) return false;
  for (let i = 30; i < n; i++) if (!isIdChar(value.charCodeAt(i))) return false;
  return true;
}

/**
 * True when `value` is an HLC timestamp (see `tryParseHlc`). Every pulled and pushed message
 * is checked with it, so it reads characters and allocates nothing. Within a second already
 * read, only the milliseconds and `Z` are: no time is computed (a number that would be boxed
 * per call).
 */
export function isHlc(value: unknown): value is string {
  if (typeof value !== 'string' || !hasHlcTail(value)) return false;
  if (secondText !== null && value.startsWith(secondText)) return digits(value, 20, 3) >= 0 && value.charCodeAt(23) === 90;
  return !Number.isNaN(cachedTimeMillis(value));
}

/**
 * Parses an HLC timestamp (docs/protocol.md section 2), or returns null when `value` is not
 * one: a real UTC time, a counter of four upper-case hex digits and a clientId of 1 to 64
 * `[A-Za-z0-9_-]`.
 */
export function tryParseHlc(value: unknown): Timestamp | null {
  const millis = typeof value === 'string' && hasHlcTail(value) ? cachedTimeMillis(value) : NaN;
  return Number.isNaN(millis) ? null : { millis, counter: parseInt((value as string).slice(25, 29), 16), clientId: (value as string).slice(30) };
}

export function parseHlc(value: unknown): Timestamp {
  const ts = tryParseHlc(value);
  if (!ts) throw invalidArgument(`not an HLC timestamp: ${errorText(value).slice(0, 100)}`);
  return ts;
}

/** An HLC's characters before its clientId: `2026-11-24T15:09:40.001Z-0000-`. */
export const HLC_PREFIX = 30;

/** The clientId at the end of an HLC string the caller has checked (no validation: the server's pull and push paths). */
export function clientIdOf(hlc: string): string {
  return hlc.slice(HLC_PREFIX);
}

/** A checked HLC string with another (valid) clientId: the same time and counter. */
export function withClientId(hlc: string, clientId: string): string {
  return hlc.slice(0, HLC_PREFIX) + clientId;
}

/**
 * The clientId at the end of an HLC timestamp (the writer of a message), for an app or a
 * server that reads its own data: what is not one is refused, not sliced into a clientId.
 */
export function hlcClientId(hlc: string): string {
  if (!isHlc(hlc)) throw invalidArgument(`hlcClientId: not an HLC timestamp: ${errorText(hlc).slice(0, 100)}`);
  return clientIdOf(hlc);
}

/** The time part of an HLC string in milliseconds (NaN when it is not a time; nothing else is checked). */
export function hlcMillis(hlc: string): number {
  return hlc.length < 24 ? NaN : cachedTimeMillis(hlc);
}

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

  constructor(options: ClockOptions) {
    checkClientId(options.clientId);
    this.clientId = options.clientId;
    this.#now = options.now ?? Date.now;
    this.#offsetMs = options.offsetMs ?? 0;
    this.#monotonic = options.monotonic;
    this.#anchor();
    if (options.last) this.restore(options.last);
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

  /** Moves the clock past a timestamp received from elsewhere (the receive rule). */
  receive(hlc: string): void {
    this.#state = receiveTimestamp(this.#state, parseHlc(hlc), this.physicalNow()); // never backwards: `#issued` stays passed
  }

  /**
   * Sets the clock to an exact last timestamp (or to zero). Used when the clock is restored
   * from the store, and after a `clock_drift` rejection, when timestamps that the server never
   * accepted are discarded and re-issued from the corrected clock.
   */
  restore(last: string | null): void {
    this.#issued = null;
    if (last === null) {
      this.#state = { millis: 0, counter: 0 };
      return;
    }
    const { millis, counter } = parseHlc(last);
    this.#state = { millis, counter };
  }
}
