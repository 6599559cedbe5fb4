/**
 * Delays. Exponential backoff with jitter: the delay doubles with each failed attempt up to
 * a cap, and a random part spreads the retries of many clients, so that a server coming back
 * after an outage is not met by all of them in the same instant. And the checks of every
 * delay option, which a timer must be able to keep.
 */
import { invalidArgument, reading, threw } from './errors.ts';
import { isObject, unknownOptionError } from './option-keys.ts';

/**
 * The longest delay a timer keeps: 2^31 - 1 ms, about 24.8 days. Node and browsers fire a
 * longer `setTimeout` at once, so an unbounded delay (a 429's `Retry-After` of a year, a
 * `timeoutMs: Infinity`) would turn into a retry, a sync or an abort every millisecond.
 */
export const MAX_DELAY_MS = 2_147_483_647;

/** Why `v` is not a delay of `min` to MAX_DELAY_MS ms for option `name`, or null (`undefined`: the default). */
export function delayError(name: string, v: unknown, min: number): string | null {
  return v === undefined || (typeof v === 'number' && v >= min && v <= MAX_DELAY_MS) ? null
    : `${name} must be a number of ms from ${min} to ${MAX_DELAY_MS} (about 24.8 days)`;
}

/** The keys of backoff options (`retry`, `reconnect`); backoffDelay's also take `random`. */
const BACKOFF_KEYS = { initialMs: 0, maxMs: 0 } satisfies Record<keyof Omit<BackoffOptions, 'random'>, 0>;

/** Why `v` is not backoff options for option `name` (delays from 1 ms: 0 would retry in a tight loop), or null. */
export function backoffError(name: string, v: unknown, keys: object = BACKOFF_KEYS): string | null {
  if (v === undefined) return null;
  if (!isObject(v)) return `${name} must be an object: { initialMs?, maxMs? }`;
  const { initialMs, maxMs } = v as BackoffOptions;
  const unknown = unknownOptionError(v, keys);
  return (unknown && `${name}: ${unknown}`) ?? delayError(`${name}.initialMs`, initialMs, 1) ?? delayError(`${name}.maxMs`, maxMs, 1);
}

export interface BackoffOptions {
  /** Delay after the first failure, in ms. Default 500. */
  readonly initialMs?: number;
  /** Largest delay, in ms. Default 30 000. */
  readonly maxMs?: number;
  /** Source of randomness in [0, 1); injectable for reproducible tests. */
  readonly random?: () => number;
}

/**
 * Delay before retry number `attempt` (0-based): between half and all of the capped delay.
 * Its arguments are checked like the options of the client's own delays: a NaN or a negative
 * delay makes a timer fire at once, the tight loop a backoff is there to prevent.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  return reading('backoffDelay: reading the options', () => delayOf(attempt, options));
}

function delayOf(attempt: number, options: BackoffOptions): number {
  const why = typeof attempt !== 'number' || Number.isNaN(attempt) ? 'attempt must be a number'
    : backoffError('options', options, { ...BACKOFF_KEYS, random: 0 })
      ?? (options.random !== undefined && typeof options.random !== 'function' ? 'options.random must be a function' : null);
  if (why !== null) throw invalidArgument(`backoffDelay: ${why}`);
  // Its answers too, as the client's `random`'s: NaN made the delay NaN (round 55).
  const { random } = options;
  return backoffMs(attempt, random ? { ...options, random: checked('backoffDelay: options.random', random, 1) } : options);
}

/**
 * A function of the app's (createSyncClient's `now` and `random`, backoffDelay's `random`),
 * each answer checked (a number from 0 to `max`). Not once at the start: a test's clock may
 * go wrong later, and a seeded `random` must not be called more than it would be. A `now`
 * that answered NaN stamped every write in 1970, so that each lost every conflict; a `random`
 * that answered NaN made every retry immediate. What they throw is named too: thrown inside a
 * store's transaction, it would have been blamed on the store. `name` as errors name it.
 */
export function checked(name: string, fn: () => number, max: number): () => number {
  return () => {
    let n: unknown;
    try {
      n = fn();
    } catch (err) {
      throw threw(`${name}()`, err);
    }
    if (typeof n !== 'number' || !(n >= 0 && n <= max)) throw invalidArgument(`${name}() gave ${typeof n === 'number' ? n : typeof n}, not a number from 0 to ${max}`);
    return n;
  };
}

/**
 * `backoffDelay` without its checks, for the library's own retries, whose options were
 * checked when they were given (createSyncClient's `retry`, pokeStream's `reconnect`): checked
 * again at every failure, they cost each app's bundle the checks of the public helper.
 */
export function backoffMs(attempt: number, options: BackoffOptions): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const random = options.random ?? Math.random;
  const capped = Math.min(max, initial * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.round(capped / 2 + random() * (capped / 2));
}
