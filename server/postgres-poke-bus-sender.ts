/**
 * The sending half of the PostgreSQL poke bus (postgres-poke-bus.ts): `pg_notify($1, $2)` with
 * parameters only (no SQL is built from user data), on the store's pool, right after a push
 * committed. At most one notify statement is in flight: publishes made meanwhile are coalesced
 * per user and sent together in one statement, so pokes never take more than one pool
 * connection. A send that failed is made again after a back-off, with what was published
 * meanwhile. The notify transaction commits with `synchronous_commit` off: a poke is a hint,
 * and must not cost a second WAL flush per push.
 */
import type { Pool } from 'pg';
import { backoffDelay } from 'fieldsync';

/** The notification payload of a poke (within MAX_PAYLOAD_BYTES for every user id the server accepts). */
export function pokePayload(userId: string, fromClientId: string, cursor: number): string {
  return JSON.stringify({ u: userId, c: fromClientId, n: cursor });
}

interface Pending {
  c: string;
  n: number;
}

export interface PokeSenderOptions {
  readonly pool: Pool;
  readonly channel: string;
  readonly report: (err: unknown, what: string) => void;
  /** Back-off between sends of pokes that failed, doubling from min to max. */
  readonly minBackoff: number;
  readonly maxBackoff: number;
}

export interface PokeSender {
  publish(userId: string, fromClientId: string, cursor: number): void;
  /** Resolves when the notifications published so far have been sent, or failed and wait to be sent again. */
  flush(): Promise<void>;
  /** Sends nothing more (call flush() first for the last ones). */
  close(): void;
}

export function createPokeSender(options: PokeSenderOptions): PokeSender {
  const { pool, channel, report, minBackoff, maxBackoff } = options;
  let closed = false;
  // Publishing: coalesced per user, one statement in flight.
  let pending = new Map<string, Pending>();
  let inFlight: Promise<void> | null = null;
  const add = (userId: string, fromClientId: string, cursor: number): void => {
    const p = pending.get(userId);
    if (p) {
      // Two pushes, maybe of two clients, in one poke: poke every client then.
      if (p.c !== fromClientId) p.c = '';
      p.n = Math.max(p.n, cursor);
    } else {
      pending.set(userId, { c: fromClientId, n: cursor });
    }
  };
  // A notify that failed (the database restarting, a pool connection cut) is sent again after
  // a back-off, coalesced with what was published meanwhile: dropped, the streams of every
  // process missed the poke, and their clients saw the push only at their next periodic sync.
  let failures = 0; // failed sends in a row
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  const send = async (): Promise<void> => {
    while (pending.size > 0 && !closed) {
      const batch = pending;
      pending = new Map();
      const payloads = [...batch].map(([u, p]) => pokePayload(u, p.c, p.n));
      try {
        await pool.query(
          `SELECT set_config('synchronous_commit', 'off', true), count(pg_notify($1, p)) FROM unnest($2::text[]) AS p`,
          [channel, payloads],
        );
        failures = 0;
      } catch (err) {
        report(err, 'sending pokes failed; sending them again');
        for (const [u, p] of batch) add(u, p.c, p.n);
        retryTimer = setTimeout(() => {
          retryTimer = null;
          kick();
        }, backoffDelay(failures++, { initialMs: minBackoff, maxMs: maxBackoff }));
        retryTimer.unref();
        return;
      }
    }
  };
  const kick = (): void => {
    if (inFlight || retryTimer || closed) return;
    inFlight = send().finally(() => {
      inFlight = null;
      if (pending.size > 0) kick();
    });
  };

  const flush = async (): Promise<void> => {
    while (inFlight) await inFlight;
  };

  return {
    publish(userId, fromClientId, cursor) {
      if (closed) return;
      add(userId, fromClientId, cursor);
      kick();
    },
    flush,
    close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
    },
  };
}
