/**
 * The poke bus over PostgreSQL LISTEN/NOTIFY, for several server processes on one database:
 * a push stored by any process pokes the user's event streams on every process.
 *
 * - One dedicated connection per process runs `LISTEN fieldsync_pokes`; what arrives on it
 *   is handed to this process's local subscribers (an in-process bus). The sender's own
 *   process receives its notifications the same way, so each poke is delivered once.
 * - `publish` sends `pg_notify($1, $2)` with parameters only (no SQL is built from user
 *   data), on the store's pool, right after the push committed. At most one notify
 *   statement is in flight: publishes made meanwhile are coalesced per user and sent
 *   together in one statement, so pokes never take more than one pool connection. A send
 *   that failed is made again after a back-off, with what was published meanwhile. The
 *   notify transaction commits with `synchronous_commit` off: a poke is a hint, and must
 *   not cost a second WAL flush per push.
 * - Payload `{"u": userId, "c": fromClientId, "n": cursor}`, under PostgreSQL's 8000-byte
 *   limit: user ids are at most MAX_USER_ID_LENGTH (256) characters, so even escaped to
 *   `\uXXXX` each, the longest payload is about 1.6 kB.
 * - If the listening connection drops (or stops answering its health check), the bus
 *   reconnects with exponential backoff, then pokes every local stream with its user's
 *   current greatest id, since notifications sent meanwhile were missed (a catch-up that
 *   fails is tried again, with the same back-off). A check is bounded
 *   on our side: a database that froze, or a network that drops packets silently, fails no
 *   query and ends no connection, so a check that has not answered in time (or is still
 *   running when the next is due) counts as a lost connection. Checks never overlap.
 */
import pg from 'pg';
import type { Pool } from 'pg';
import { backoffDelay } from 'fieldsync';
import { createInProcessPokeBus, type PokeBus } from './poke-bus.ts';

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

/** The listening connection's health check got no answer in time: it is dropped and reconnected. */
export class HealthCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HealthCheckError';
  }
}

export interface PostgresPokeBus extends PokeBus {
  close(): Promise<void>;
  /** Whether the listening connection is up. */
  readonly listening: boolean;
  /** Resolves when the notifications published so far have been sent, or failed and wait to be sent again (for tests and shutdown). */
  flush(): Promise<void>;
}

interface Pending {
  c: string;
  n: number;
}

/** The notification payload of a poke (within MAX_PAYLOAD_BYTES for every user id the server accepts). */
export function pokePayload(userId: string, fromClientId: string, cursor: number): string {
  return JSON.stringify({ u: userId, c: fromClientId, n: cursor });
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
  const subscribers = new Map<string, number>();

  let closed = false;
  let client: pg.Client | null = null;
  let attempt = 0; // failed reconnections in a row
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let healthTimer: ReturnType<typeof setInterval> | null = null;
  const healthCheckMs = options.healthCheckMs ?? 15_000;
  const healthCheckTimeoutMs = options.healthCheckTimeoutMs ?? 5_000;
  for (const [name, ms] of [['healthCheckMs', healthCheckMs], ['healthCheckTimeoutMs', healthCheckTimeoutMs]] as const) {
    if (!Number.isInteger(ms) || ms < 1) throw new RangeError(`${name} must be a positive integer, got ${ms}`);
  }

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

  const listen = async (): Promise<void> => {
    const c = new pg.Client({ ...pool.options, application_name: `${pool.options.application_name ?? 'fieldsync'}-listen`, keepAlive: true });
    c.on('notification', (msg) => {
      if (msg.channel === channel && msg.payload !== undefined) deliver(msg.payload);
    });
    let checkTimer: ReturnType<typeof setTimeout> | null = null; // the check in flight's bound
    const lost = (err?: unknown): void => {
      if (client !== c) return;
      client = null;
      if (healthTimer) clearInterval(healthTimer);
      healthTimer = null;
      if (checkTimer) clearTimeout(checkTimer);
      checkTimer = null;
      c.removeAllListeners('notification');
      // With a query in flight (a check that hung), pg ends a client by destroying its socket:
      // nothing waits for a database that does not answer.
      c.end().catch(() => undefined);
      if (closed) return;
      report(err ?? new Error('connection ended'), 'the LISTEN connection was lost; reconnecting');
      scheduleReconnect();
    };
    c.on('error', lost);
    c.on('end', () => lost());
    await c.connect();
    try {
      // An identifier cannot be a parameter; the channel is a constant of ours, quoted anyway.
      await c.query(`LISTEN ${c.escapeIdentifier(channel)}`);
    } catch (err) {
      await c.end().catch(() => undefined);
      throw err;
    }
    if (closed) {
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
    attempt = 0;
    healthTimer = setInterval(() => {
      // Still waiting for the previous check: the connection is as good as lost (and pg would
      // queue checks behind it, one more every interval).
      if (checkTimer !== null) {
        lost(new HealthCheckError(`the previous health check (SELECT 1) is still running after ${healthCheckMs} ms`));
        return;
      }
      checkTimer = setTimeout(() => lost(new HealthCheckError(`the health check (SELECT 1) got no answer within ${healthCheckTimeoutMs} ms`)), healthCheckTimeoutMs);
      checkTimer.unref();
      c.query('SELECT 1').then(
        () => {
          if (checkTimer) clearTimeout(checkTimer);
          checkTimer = null;
        },
        (err: unknown) => lost(err),
      );
    }, healthCheckMs);
    healthTimer.unref();
  };

  const catchUp = async (): Promise<void> => {
    // Notifications sent while we were not listening are lost: poke every local stream.
    const users = [...subscribers.keys()];
    if (users.length === 0) return;
    const { rows } = await pool.query<{ user_id: string; last_id: string }>(
      'SELECT user_id, last_id FROM fieldsync_users WHERE user_id = ANY($1::text[])', [users]);
    for (const r of rows) local.publish(r.user_id, '', Number(r.last_id));
  };

  // A catch-up that fails (the database went away again, the pool had no connection in time)
  // is tried again after a back-off while the connection stays up: given up after one try, as
  // until round 57, every local stream missed the pokes of the outage for good, and its clients
  // saw those pushes only at their next scheduled sync. A connection lost meanwhile catches up
  // itself once it is back.
  let catchUpTimer: ReturnType<typeof setTimeout> | null = null;
  let catchUpFailures = 0;
  const catchUpUntilDone = (): void => {
    if (catchUpTimer) clearTimeout(catchUpTimer);
    catchUpTimer = null;
    catchUp().then(
      () => {
        catchUpFailures = 0;
      },
      (err: unknown) => {
        report(err, 'catching up after reconnecting failed; trying again');
        if (closed || client === null || catchUpTimer) return;
        catchUpTimer = setTimeout(catchUpUntilDone, backoffDelay(catchUpFailures++, { initialMs: minBackoff, maxMs: maxBackoff }));
        catchUpTimer.unref();
      },
    );
  };

  const scheduleReconnect = (): void => {
    if (closed || reconnectTimer) return;
    const delay = backoffDelay(attempt++, { initialMs: minBackoff, maxMs: maxBackoff });
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      listen().then(
        catchUpUntilDone,
        (err: unknown) => {
          report(err, 'reconnecting the LISTEN connection failed');
          scheduleReconnect();
        },
      );
    }, delay);
    reconnectTimer.unref();
  };

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

  await listen();

  return {
    publish(userId, fromClientId, cursor) {
      if (closed) return;
      add(userId, fromClientId, cursor);
      kick();
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
      return client !== null;
    },

    flush,

    async close() {
      if (closed) return;
      await flush();
      closed = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      if (retryTimer) clearTimeout(retryTimer);
      if (catchUpTimer) clearTimeout(catchUpTimer);
      if (healthTimer) clearInterval(healthTimer);
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
