/**
 * An old process that met a newer schema (newer-schema.ts) can never serve again: it answers
 * 503 until it is stopped. Round 63 left the stopping to the operator; but a plain `npm run
 * server`, or systemd with no health check, shows nothing of it but one warning, and the
 * process holds its port and its PostgreSQL connections (the poke bus's LISTEN one) for good.
 * So, as a supervised service should, it exits on its own, with a code of its own
 * (NEWER_SCHEMA_EXIT_CODE), after a grace during which it goes on answering 503 with
 * Retry-After and /healthz 503: long enough for a load balancer's or Kubernetes' readiness
 * checks to take it out of rotation, so its clients meet a 503 they retry, not a refused
 * connection. docs/deploy.md says what a supervisor does with the code.
 */
import { isNewerSchema } from './newer-schema.ts';

/** The exit code of a process that stopped because the database is newer than its code. */
export const NEWER_SCHEMA_EXIT_CODE = 3;
/** The default grace, in ms: a readiness probe's (10 s × 3) or a cloud balancer's (30 s × 2) time to drain it. */
export const DEFAULT_NEWER_SCHEMA_EXIT_MS = 60_000;
/** How often the store is asked: the latch sets a field, so a look costs nothing, and a second late is no matter. */
const LOOK_EVERY_MS = 1000;

/**
 * Calls `expire(err)` once, `afterMs` after `failure()` first returns a newer schema's error;
 * `afterMs` 0: never. Returns a function that stops watching. Its timers never keep the process up.
 */
export function watchNewerSchema(failure: () => Error | null, afterMs: number, expire: (err: Error) => void): () => void {
  if (typeof failure !== 'function') throw new TypeError('watchNewerSchema: failure must be a function');
  if (!Number.isInteger(afterMs) || afterMs < 0) throw new RangeError(`watchNewerSchema: afterMs must be a non-negative integer, got ${String(afterMs)}`);
  if (typeof expire !== 'function') throw new TypeError('watchNewerSchema: expire must be a function');
  let grace: NodeJS.Timeout | undefined;
  const look = setInterval(() => {
    const err = failure();
    if (err === null || !isNewerSchema(err)) return;
    clearInterval(look);
    grace = setTimeout(() => expire(err), afterMs);
    grace.unref();
  }, LOOK_EVERY_MS);
  look.unref();
  if (afterMs === 0) clearInterval(look);
  return () => {
    clearInterval(look);
    clearTimeout(grace);
  };
}
