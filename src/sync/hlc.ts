/**
 * Hybrid logical clock, exactly as docs/protocol.md section 2 defines it:
 *
 *     2026-11-24T15:09:39.123Z-0000-k3J9x2QpL0aa
 *     UTC time (ms, 24 chars) - counter (4 upper-case hex) - clientId
 *
 * Timestamps order by plain string comparison, and the clientId makes the order total.
 */
import { ClockError, ValidationError } from './errors.ts';

export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const HLC_PATTERN =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)-([0-9A-F]{4})-([A-Za-z0-9_-]{1,64})$/;
export const MAX_COUNTER = 0xffff;
/** The latest time the 24-character ISO form can express (9999-12-31T23:59:59.999Z). */
const MAX_MILLIS = 253402300799999;

export interface Timestamp {
  readonly millis: number;
  readonly counter: number;
  readonly clientId: string;
}

export function formatHlc(ts: Timestamp): string {
  const { millis, counter, clientId } = ts;
  if (!Number.isInteger(millis) || millis < 0 || millis > MAX_MILLIS) {
    throw new ValidationError('invalid_argument', `HLC time out of range: ${millis}`);
  }
  if (!Number.isInteger(counter) || counter < 0 || counter > MAX_COUNTER) {
    throw new ValidationError('invalid_argument', `HLC counter out of range: ${counter}`);
  }
  if (!CLIENT_ID_PATTERN.test(clientId)) {
    throw new ValidationError('invalid_argument', 'clientId must match ^[A-Za-z0-9_-]{1,64}$');
  }
  return `${new Date(millis).toISOString()}-${counter.toString(16).toUpperCase().padStart(4, '0')}-${clientId}`;
}

/** Parses an HLC string, or returns null when it is not one (including impossible dates). */
export function tryParseHlc(value: unknown): Timestamp | null {
  if (typeof value !== 'string' || value.length > 94) return null;
  const m = HLC_PATTERN.exec(value);
  if (!m) return null;
  const iso = m[1] as string;
  const millis = Date.parse(iso);
  // Round-tripping rejects dates such as 2026-02-30 that Date.parse would roll over.
  if (!Number.isFinite(millis) || new Date(millis).toISOString() !== iso) return null;
  return { millis, counter: parseInt(m[2] as string, 16), clientId: m[3] as string };
}

export function parseHlc(value: unknown): Timestamp {
  const ts = tryParseHlc(value);
  if (!ts) throw new ValidationError('invalid_argument', `not an HLC timestamp: ${String(value).slice(0, 100)}`);
  return ts;
}

/** The clientId at the end of an HLC string (no validation). */
export function hlcClientId(hlc: string): string {
  return hlc.slice(30);
}

/** The time part of an HLC string in milliseconds (no validation). */
export function hlcMillis(hlc: string): number {
  return Date.parse(hlc.slice(0, 24));
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
  #state: ClockState = { millis: 0, counter: 0 };

  constructor(options: ClockOptions) {
    if (!CLIENT_ID_PATTERN.test(options.clientId)) {
      throw new ValidationError('invalid_argument', 'clientId must match ^[A-Za-z0-9_-]{1,64}$');
    }
    this.clientId = options.clientId;
    this.#now = options.now ?? Date.now;
    this.#offsetMs = options.offsetMs ?? 0;
    if (options.last) this.restore(options.last);
  }

  /** The physical time the clock uses: the local clock plus the learnt correction. */
  physicalNow(): number {
    return Math.floor(this.#now() + this.#offsetMs);
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }

  /** Sets the correction to the physical clock (from the server's `serverTime`). */
  setOffset(offsetMs: number): void {
    if (!Number.isFinite(offsetMs)) throw new ValidationError('invalid_argument', 'offset must be finite');
    this.#offsetMs = Math.round(offsetMs);
  }

  /** The last timestamp issued or received, as (millis, counter). */
  get state(): ClockState {
    return this.#state;
  }

  /** Issues the next timestamp for a local change. */
  tick(): string {
    this.#state = nextTimestamp(this.#state, this.physicalNow());
    return formatHlc({ ...this.#state, clientId: this.clientId });
  }

  /** Moves the clock past a timestamp received from elsewhere (the receive rule). */
  receive(hlc: string): void {
    this.#state = receiveTimestamp(this.#state, parseHlc(hlc), this.physicalNow());
  }

  /**
   * Sets the clock to an exact last timestamp (or to zero). Used when the clock is restored
   * from the store, and after a `clock_drift` rejection, when timestamps that the server never
   * accepted are discarded and re-issued from the corrected clock.
   */
  restore(last: string | null): void {
    if (last === null) {
      this.#state = { millis: 0, counter: 0 };
      return;
    }
    const { millis, counter } = parseHlc(last);
    this.#state = { millis, counter };
  }
}
