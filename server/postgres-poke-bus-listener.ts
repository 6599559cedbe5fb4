/**
 * The listening half of the PostgreSQL poke bus (postgres-poke-bus.ts): one dedicated
 * connection per process runs `LISTEN fieldsync_pokes`, and hands what arrives to `deliver`.
 *
 * If the connection drops (or stops answering its health check), it reconnects with
 * exponential backoff, then pokes every local stream with its user's current greatest id,
 * since notifications sent meanwhile were missed (a catch-up that fails is tried again, with
 * the same back-off). A check is bounded on our side: a database that froze, or a network
 * that drops packets silently, fails no query and ends no connection, so a check that has not
 * answered in time (or is still running when the next is due) counts as a lost connection.
 * Checks never overlap.
 */
import pg from 'pg';
import type { Pool } from 'pg';
import { backoffDelay } from 'fieldsync';

/** The listening connection's health check got no answer in time: it is dropped and reconnected. */
export class HealthCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HealthCheckError';
  }
}

export interface ListenConnectionOptions {
  readonly pool: Pool;
  readonly channel: string;
  /** A notification's payload, as it arrived on the channel (anyone may notify on it: check it). */
  readonly deliver: (payload: string) => void;
  /** After a reconnection: pokes each of these users' local streams with its current greatest id. */
  readonly users: () => string[];
  readonly catchUpPoke: (userId: string, cursor: number) => void;
  readonly report: (err: unknown, what: string) => void;
  readonly minBackoff: number;
  readonly maxBackoff: number;
  readonly healthCheckMs: number;
  readonly healthCheckTimeoutMs: number;
}

export interface ListenConnection {
  /** Connects and listens; the first time, a failure throws. */
  start(): Promise<void>;
  readonly listening: boolean;
  close(): Promise<void>;
}

export function createListenConnection(options: ListenConnectionOptions): ListenConnection {
  const { pool, channel, deliver, report, minBackoff, maxBackoff, healthCheckMs, healthCheckTimeoutMs } = options;
  let closed = false;
  let client: pg.Client | null = null;
  let attempt = 0; // failed reconnections in a row
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let healthTimer: ReturnType<typeof setInterval> | null = null;

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
    const users = options.users();
    if (users.length === 0) return;
    const { rows } = await pool.query<{ user_id: string; last_id: string }>(
      'SELECT user_id, last_id FROM fieldsync_users WHERE user_id = ANY($1::text[])', [users]);
    for (const r of rows) options.catchUpPoke(r.user_id, Number(r.last_id));
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

  return {
    start: listen,
    get listening() {
      return client !== null;
    },
    async close() {
      closed = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      if (catchUpTimer) clearTimeout(catchUpTimer);
      if (healthTimer) clearInterval(healthTimer);
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
