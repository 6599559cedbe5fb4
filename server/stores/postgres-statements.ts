/**
 * The PostgreSQL store's connections in use, so that a shutdown does not wait on them.
 *
 * A statement can wait long on the database: a push or an epoch renewal on a user's counter
 * row that another session holds waits up to statement_timeout (30 s). Until round 58 a
 * stopping server waited for it: the request was cut unanswered at the shutdown timeout and
 * the process stayed up until the database cancelled the statement. Now `interrupt()` refuses
 * new work and sends PostgreSQL a cancel request for every statement in flight: each fails at
 * once with `57014` (query_canceled), its transaction rolls back, and the request is answered
 * 503 `unavailable` with Retry-After; the client sends it again, to another process.
 */
import { connect as connectTcp } from 'node:net';
import type { Pool, PoolClient } from 'pg';
import { explainedEnd, typedTimeout } from './postgres-transaction.ts';

/**
 * Work refused because the store is shutting down. Its code is PostgreSQL's own for a server
 * shutting down (`57P01`, admin_shutdown), the same situation on the database's side, so the
 * server answers it as it answers that one: 503 `unavailable` with Retry-After, logged as the
 * passing unavailability it is, never as an internal error.
 */
export class StoreClosingError extends Error {
  readonly code = '57P01';
  constructor(message = 'the server is shutting down; try again shortly', options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreClosingError';
  }
}

/** How long a cancel request may take to reach the database before it is given up. */
const CANCEL_TIMEOUT_MS = 2000;

/** PostgreSQL's CancelRequest (protocol 3.0): length 16, code 80877102, the backend's pid and key. */
export function cancelRequest(processId: number, secretKey: number): Buffer {
  const packet = Buffer.alloc(16);
  packet.writeInt32BE(16, 0);
  packet.writeInt32BE(80877102, 4);
  packet.writeInt32BE(processId, 8);
  packet.writeInt32BE(secretKey, 12);
  return packet;
}

/**
 * Asks the database to cancel what `client`'s backend runs now, on a connection of its own (as
 * psql's Ctrl-C does: no login, no pool connection needed). Never throws; resolves once sent
 * or given up. A client that runs nothing is left alone by the database.
 */
export function cancelStatement(client: PoolClient): Promise<void> {
  // pg keeps the backend's key data (BackendKeyData) on the client; its types do not say so.
  const { processID, secretKey, host, port } = client as PoolClient & { processID?: unknown; secretKey?: unknown; host?: string; port?: number };
  if (typeof processID !== 'number' || typeof secretKey !== 'number' || host === undefined || port === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const socket = host.startsWith('/') ? connectTcp(`${host}/.s.PGSQL.${port}`) : connectTcp(port, host);
    socket.setTimeout(CANCEL_TIMEOUT_MS, () => socket.destroy());
    socket.on('connect', () => socket.end(cancelRequest(processID, secretKey)));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
}

/** A store that can cancel its work in flight at shutdown (the PostgreSQL store). */
export function canInterrupt<S extends object>(store: S): store is S & { interrupt(): Promise<void> } {
  return typeof (store as { interrupt?: unknown }).interrupt === 'function';
}

export interface StatementTracker {
  /** A pool client, counted as in use until released; refused (StoreClosingError) once interrupted. */
  connect(): Promise<PoolClient>;
  /** One statement on a client of its own, as `pool.query` runs it (a client that failed is not reused). */
  query<R extends object>(sql: string, values: unknown[]): Promise<{ rows: R[] }>;
  /** Refuses new work and cancels every statement in flight; resolves once the cancel requests were sent. */
  interrupt(): Promise<void>;
  /**
   * `err`, or a StoreClosingError in its place when it is the cancel `interrupt()` caused
   * (`57014` once interrupted): logged as this server's stop, not as a database that cannot
   * be reached.
   */
  explain(err: unknown): unknown;
  readonly interrupted: boolean;
}

export function createStatementTracker(pool: Pool): StatementTracker {
  const inUse = new Set<PoolClient>();
  let interrupted = false;
  // A client waiting for a connection of a full pool is refused when the store is interrupted,
  // not left to wait the pool's connection timeout (10 s) for a connection it must not use.
  const waiting = new Set<(err: Error) => void>();
  pool.on('release', (_err, client) => {
    inUse.delete(client);
  });

  const connect = (): Promise<PoolClient> => {
    if (interrupted) return Promise.reject(new StoreClosingError());
    return new Promise<PoolClient>((resolve, reject) => {
      let settled = false;
      const refuse = (err: Error): void => {
        settled = true;
        waiting.delete(refuse);
        reject(err);
      };
      waiting.add(refuse);
      pool.connect().then(
        (client) => {
          waiting.delete(refuse);
          if (settled) {
            client.release();
            return;
          }
          settled = true;
          inUse.add(client);
          resolve(client);
        },
        (err: unknown) => {
          waiting.delete(refuse);
          if (settled) return;
          settled = true;
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  };

  const explain = (err: unknown): unknown =>
    interrupted && (err as { code?: unknown } | null)?.code === '57014' ? new StoreClosingError(undefined, { cause: err }) : err;

  return {
    connect,
    explain,
    async query<R extends object>(sql: string, values: unknown[]) {
      const client = await connect();
      try {
        const result = await client.query<R>(sql, values);
        client.release();
        return result;
      } catch (err) {
        // As pool.query does: a client whose statement failed is closed, not reused.
        client.release(true);
        throw explain(explainedEnd(typedTimeout(err), client));
      }
    },
    async interrupt() {
      interrupted = true;
      for (const refuse of [...waiting]) refuse(new StoreClosingError());
      await Promise.all([...inUse].map(cancelStatement));
    },
    get interrupted() {
      return interrupted;
    },
  };
}
