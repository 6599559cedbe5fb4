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
import type { NewerSchemaListener } from './newer-schema.ts';

/** The exit code of a process that stopped because the database is newer than its code. */
export const NEWER_SCHEMA_EXIT_CODE = 3;
/** The default grace, in ms: a readiness probe's (10 s × 3) or a cloud balancer's (30 s × 2) time to drain it. */
export const DEFAULT_NEWER_SCHEMA_EXIT_MS = 60_000;

/**
 * The exit's timer, started by the store's latch itself (round 65; round 64 asked the store
 * every second): `latched(err)`, given as startServer's `onNewerSchema`, starts the grace once,
 * and `expire(err)` runs `afterMs` after that moment; `afterMs` 0: never. No timer exists until
 * the latch is set, and the one it starts never keeps the process up. `cancel()` stops it.
 */
export function newerSchemaExit(afterMs: number, expire: (err: Error) => void): { readonly latched: NewerSchemaListener; cancel(): void } {
  if (!Number.isInteger(afterMs) || afterMs < 0) throw new RangeError(`newerSchemaExit: afterMs must be a non-negative integer, got ${String(afterMs)}`);
  if (typeof expire !== 'function') throw new TypeError('newerSchemaExit: expire must be a function');
  let grace: NodeJS.Timeout | undefined;
  let started = false;
  let cancelled = false;
  return {
    latched(err) {
      if (started || cancelled || afterMs === 0) return;
      started = true;
      grace = setTimeout(() => expire(err), afterMs);
      grace.unref();
    },
    cancel() {
      cancelled = true;
      clearTimeout(grace);
    },
  };
}
