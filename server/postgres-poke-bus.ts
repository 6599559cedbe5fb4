/**
 * The poke bus over PostgreSQL LISTEN/NOTIFY, for several server processes on one database:
 * a push stored by any process pokes the user's event streams on every process.
 *
 * - One dedicated connection per process runs `LISTEN fieldsync_pokes`; what arrives on it
 *   is handed to this process's local subscribers (an in-process bus). The sender's own
 *   process receives its notifications the same way, so each poke is delivered once.
 * - `publish` sends the poke as a notification on the store's pool, coalesced per user, at
 *   most one notify statement in flight, sent again after a failure
 *   (postgres-poke-bus-sender.ts).
 * - Payload `{"u": userId, "c": fromClientId, "n": cursor}`, under PostgreSQL's 8000-byte
 *   limit: user ids are at most MAX_USER_ID_LENGTH (256) characters, so even escaped to
 *   `\uXXXX` each, the longest payload is about 1.6 kB.
 * - If the listening connection drops (or stops answering its bounded health check), it
 *   reconnects with back-off and catches every local stream up (postgres-poke-bus-listener.ts).
 */
import type { Pool } from 'pg';
import { backoffDelay } from 'fieldsync';
import { createInProcessPokeBus, type PokeBus } from './poke-bus.ts';
import { createListenConnection } from './postgres-poke-bus-listener.ts';
import { createPokeSender } from './postgres-poke-bus-sender.ts';

export { HealthCheckError } from './postgres-poke-bus-listener.ts';
export { pokePayload } from './postgres-poke-bus-sender.ts';

/** The channel every process listens on. */
export const POKE_CHANNEL = 'fieldsync_pokes';
/** PostgreSQL refuses payloads of 8000 bytes or more; stay clear of the limit. */
export const MAX_PAYLOAD_BYTES = 7900;

export interface PostgresPokeBusOptions {
  /** The store's pool: notifications are sent on it, and the listening connection uses its settings. */
  readonly pool: Pool;
  readonly channel?: string;
  /** Problems worth a log line (a lost listening connection, a failed notify). The bus never throws them. */
  readonly onError?: (err: unknown, what: string) => void;
  /** Back-off between reconnection attempts (and between sends of pokes that failed), doubling from min to max. Default 500 ms to 30 s. */
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  /** How often the listening connection is checked with `SELECT 1`. Default 15 s. */
  readonly healthCheckMs?: number;
  /** A check not answered within this long fails, as a lost connection does. Default 5 s. */
  readonly healthCheckTimeoutMs?: number;
}

export interface PostgresPokeBus extends PokeBus {
  close(): Promise<void>;
  /** Whether the listening connection is up. */
  readonly listening: boolean;
  /** Resolves when the notifications published so far have been sent, or failed and wait to be sent again (for tests and shutdown). */
  flush(): Promise<void>;
}

/** Connects the listening connection (the first time, failure throws) and returns the bus. */
export async function createPostgresPokeBus(options: PostgresPokeBusOptions): Promise<PostgresPokeBus> {
  const { pool } = options;
  const channel = options.channel ?? POKE_CHANNEL;
  const report = (err: unknown, what: string): void => {
    try {
      options.onError?.(err, what);
    } catch {
      // a logger that throws must not break the bus
    }
  };
  const minBackoff = options.reconnectMinMs ?? 500;
  const maxBackoff = options.reconnectMaxMs ?? 30_000;
  // Checked now (a ValidationError naming the option), not in the reconnect loop, where a bad
  // delay would throw when the connection is lost, long after the bus was made.
  backoffDelay(0, { initialMs: minBackoff, maxMs: maxBackoff });
  const local = createInProcessPokeBus({ onListenerError: (err) => report(err, 'poke listener failed') });
  const subscribers = new Map<string, number>(); // local streams per user, for the catch-up

  const healthCheckMs = options.healthCheckMs ?? 15_000;
  const healthCheckTimeoutMs = options.healthCheckTimeoutMs ?? 5_000;
  for (const [name, ms] of [['healthCheckMs', healthCheckMs], ['healthCheckTimeoutMs', healthCheckTimeoutMs]] as const) {
    if (!Number.isInteger(ms) || ms < 1) throw new RangeError(`${name} must be a positive integer, got ${ms}`);
  }
  let closed = false;

  const deliver = (payload: string): void => {
    let p: unknown;
    try {
      p = JSON.parse(payload);
    } catch {
      return; // not ours: anyone with access to the database may notify on the channel
    }
    if (typeof p !== 'object' || p === null) return;
    const { u, c, n } = p as { u?: unknown; c?: unknown; n?: unknown };
    if (typeof u !== 'string' || typeof c !== 'string' || typeof n !== 'number' || !Number.isSafeInteger(n)) return;
    local.publish(u, c, n);
  };

  const receiver = createListenConnection({
    pool,
    channel,
    deliver,
    users: () => [...subscribers.keys()],
    catchUpPoke: (userId, cursor) => local.publish(userId, '', cursor),
    report,
    minBackoff,
    maxBackoff,
    healthCheckMs,
    healthCheckTimeoutMs,
  });
  const sender = createPokeSender({ pool, channel, report, minBackoff, maxBackoff });

  await receiver.start();

  return {
    publish(userId, fromClientId, cursor) {
      if (closed) return;
      sender.publish(userId, fromClientId, cursor);
    },
    subscribe(userId, listener) {
      subscribers.set(userId, (subscribers.get(userId) ?? 0) + 1);
      const unsubscribe = local.subscribe(userId, listener);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        unsubscribe();
        const left = (subscribers.get(userId) ?? 1) - 1;
        if (left <= 0) subscribers.delete(userId);
        else subscribers.set(userId, left);
      };
    },

    get listening() {
      return receiver.listening;
    },

    flush: () => sender.flush(),

    async close() {
      if (closed) return;
      await sender.flush();
      closed = true;
      sender.close();
      await receiver.close();
    },
  };
}
