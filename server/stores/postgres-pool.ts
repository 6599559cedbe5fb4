/**
 * The PostgreSQL store's connection pool (split from postgres-server-store.ts, round 65): its
 * timeouts, and the listeners that keep a connection the database ends from crashing the
 * process. The poke bus and some tests share it with the store.
 */
import pg from 'pg';
import type { Pool, PoolConfig } from 'pg';
import { watchStopNotices } from './postgres-transaction.ts';

export interface PostgresPoolOptions {
  /** `postgres://user:password@host:port/database?...` */
  readonly url: string;
  /** The most connections this process opens. Default 10. */
  readonly poolMax?: number;
  /** Statements running longer are cancelled (lock waits included), in ms. Default 30 s. */
  readonly statementTimeoutMs?: number;
  /**
   * A statement the database has not answered after this long fails on the client's side
   * (DatabaseTimeoutError, answered 503) and its connection is closed, in ms. `statement_timeout`
   * is the database's own: a database that froze, or a network that silently drops packets,
   * never answers it, and the request would wait forever. Default: statementTimeoutMs + 5 s
   * (35 s; with a statementTimeoutMs of 0, PostgreSQL's "no limit", 35 s as well).
   */
  readonly queryTimeoutMs?: number;
  /** Idle connections are closed after this long, in ms. Default 30 s. */
  readonly idleTimeoutMs?: number;
  /** How long to wait for a connection (a new one, or a free one of a full pool), in ms. Default 10 s. */
  readonly connectionTimeoutMs?: number;
  /** A transaction idle this long is ended by the database (releasing its locks), in ms. Default 10 s. */
  readonly idleInTransactionTimeoutMs?: number;
  /** Shown in `pg_stat_activity`. Default "fieldsync". */
  readonly applicationName?: string;
  /** Errors of idle connections (the database restarted, for instance). Default: ignored; the pool replaces them. */
  readonly onError?: (err: Error) => void;
}

export const DEFAULT_POOL_MAX = 10;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
/** How much longer than statement_timeout the client waits: the database cancels first when it can. */
export const QUERY_TIMEOUT_MARGIN_MS = 5_000;

/** A bounded connection pool with the store's timeouts. */
export function createPostgresPool(options: PostgresPoolOptions): Pool {
  const max = options.poolMax ?? DEFAULT_POOL_MAX;
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`poolMax must be a positive integer, got ${max}`);
  const statementTimeout = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  // statement_timeout 0 is PostgreSQL's "no limit"; the client-side bound stays a bound then.
  const queryTimeout = options.queryTimeoutMs ?? (statementTimeout > 0 ? statementTimeout : DEFAULT_STATEMENT_TIMEOUT_MS) + QUERY_TIMEOUT_MARGIN_MS;
  if (!Number.isInteger(queryTimeout) || queryTimeout < 1) throw new RangeError(`queryTimeoutMs must be a positive integer, got ${queryTimeout}`);
  const config: PoolConfig = {
    connectionString: options.url,
    max,
    idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    statement_timeout: statementTimeout,
    // Client-side: pg fails a query unanswered this long; the store then discards its connection
    // (a statement's client is closed when it fails: postgres-statements.ts, postgres-transaction.ts).
    query_timeout: queryTimeout,
    // A transaction left open (a process that froze or vanished mid-push without closing
    // its connection) must not hold a user's lock for long: a push is never idle for more
    // than a round trip between its statements.
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 10_000,
    application_name: options.applicationName ?? 'fieldsync',
    keepAlive: true,
  };
  const pool = new pg.Pool(config);
  // Without a listener an idle connection's error would crash the process.
  pool.on('error', (err) => options.onError?.(err));
  // pg-pool listens on a client only while it is idle, and a connection the database ends
  // (a restart, a failover, pg_terminate_backend) emits 'error' on its client whatever it is
  // doing: handed out, or being destroyed after it was released broken. With no listener Node
  // throws it, and the process ends with every request in flight. The error itself also fails
  // the client's query (or its next one); this listener only keeps it from being thrown.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    // An immediate shutdown's or a crash restart's notice, for the error of the statement it ends.
    watchStopNotices(client);
  });
  return pool;
}

/** pg returns bigint as text; ids stay far below 2^53, and anything else is a bug worth a loud error. */
export function toSafeInteger(text: string | number | null | undefined, what: string): number {
  const n = typeof text === 'number' ? text : Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} is not a safe integer: ${String(text)}`);
  return n;
}
