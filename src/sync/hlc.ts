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
 * A monotonic hybrid logical clock for one client. `tick()` issues timestamps for local
 * changes; `receive()` moves the clock past timestamps from other clients, so that a local
 * change made after seeing a remote one always orders after it.
 */
export class HybridClock {
  readonly clientId: string;
  #now: () => number;
  #offsetMs: number;
  #millis = 0;
  #counter = 0;

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
  get state(): { millis: number; counter: number } {
    return { millis: this.#millis, counter: this.#counter };
  }

  /** Issues the next timestamp for a local change. Throws `ClockError` on counter overflow. */
  tick(): string {
    const phys = this.physicalNow();
    if (phys > this.#millis) {
      this.#millis = phys;
      this.#counter = 0;
    } else {
      if (this.#counter >= MAX_COUNTER) {
        throw new ClockError(
          `HLC counter overflow: more than ${MAX_COUNTER + 1} timestamps at ${new Date(this.#millis).toISOString()}`,
        );
      }
      this.#counter += 1;
    }
    return formatHlc({ millis: this.#millis, counter: this.#counter, clientId: this.clientId });
  }

  /**
   * Moves the clock past a timestamp received from elsewhere (the receive rule). A remote
   * counter already at FFFF saturates instead of throwing: the remote timestamp is not
   * ours to issue, and our next `tick()` reports the overflow only if the physical clock
   * has not moved on by then.
   */
  receive(hlc: string): void {
    const remote = parseHlc(hlc);
    const phys = this.physicalNow();
    const millis = Math.max(this.#millis, remote.millis, phys);
    let counter: number;
    if (millis === this.#millis && millis === remote.millis) {
      counter = Math.max(this.#counter, remote.counter) + 1;
    } else if (millis === this.#millis) {
      counter = this.#counter + 1;
    } else if (millis === remote.millis) {
      counter = remote.counter + 1;
    } else {
      counter = 0;
    }
    this.#millis = millis;
    this.#counter = Math.min(counter, MAX_COUNTER);
  }

  /**
   * Sets the clock to an exact last timestamp (or to zero). Used when the clock is restored
   * from the store, and after a `clock_drift` rejection, when timestamps that the server never
   * accepted are discarded and re-issued from the corrected clock.
   */
  restore(last: string | null): void {
    if (last === null) {
      this.#millis = 0;
      this.#counter = 0;
      return;
    }
    const ts = parseHlc(last);
    this.#millis = ts.millis;
    this.#counter = ts.counter;
  }
}
