/**
 * Exponential backoff with jitter. The delay doubles with each failed attempt up to a cap,
 * and a random part spreads the retries of many clients, so that a server coming back
 * after an outage is not met by all of them in the same instant.
 */
export interface BackoffOptions {
  /** Delay after the first failure, in ms. Default 500. */
  readonly initialMs?: number;
  /** Largest delay, in ms. Default 30 000. */
  readonly maxMs?: number;
  /** Source of randomness in [0, 1); injectable for reproducible tests. */
  readonly random?: () => number;
}

/** Delay before retry number `attempt` (0-based): between half and all of the capped delay. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const random = options.random ?? Math.random;
  const capped = Math.min(max, initial * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.round(capped / 2 + random() * (capped / 2));
}
