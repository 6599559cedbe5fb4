/**
 * One transaction on a client of a `pg` pool, and what a connection that fails under it
 * needs: the push and the schema migration both run in one.
 */
import type { PoolClient } from 'pg';

/**
 * A statement the database did not answer within the pool's client-side bound
 * (`query_timeout`): a database that froze, or a network that drops packets without closing
 * the connection, where the database's own `statement_timeout` can never fire. pg's error for
 * it has no code, only a message; this names it, and the server answers it 503 `unavailable`.
 */
export class DatabaseTimeoutError extends Error {
  readonly code = 'FIELDSYNC_DATABASE_TIMEOUT';
  constructor(options?: ErrorOptions, message = 'the database did not answer in time') {
    super(message, options);
    this.name = 'DatabaseTimeoutError';
  }
}

/** `err` itself, or a DatabaseTimeoutError in its place when it is pg's `query_timeout` error. */
export function typedTimeout(err: unknown): unknown {
  return err instanceof Error && err.message === 'Query read timeout' ? new DatabaseTimeoutError({ cause: err }) : err;
}

/**
 * A connection that PostgreSQL closed after saying why in a notice: since PostgreSQL 14 an
 * immediate shutdown (`pg_ctl stop -m immediate`, SIGQUIT) or a crash restart (after one of its
 * processes died) sends each session a WARNING, `57P01` or `57P02`, and then closes it, so the
 * statement in flight fails only with pg's "Connection terminated unexpectedly", which says
 * nothing of the stop. This error carries the notice's code and words instead, so that the
 * server's warning says PostgreSQL is stopping (errors.ts), as it does for a fast shutdown's
 * `57P01` error; the request is answered 503 `unavailable` all the same. A fast shutdown's
 * error that reached the client between two statements (watchStopNotices) is carried the same way.
 */
export class DatabaseEndedError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DatabaseEndedError';
    this.code = code;
  }
}

/** The last stop (57P01, 57P02) each watched client was told of: a notice, or an error between statements. */
const stopNotices = new WeakMap<object, { code: string; message: string }>();

type StopWord = { code?: unknown; message?: unknown };

/**
 * Keeps the stop a client is told of, for `explainedEnd`; the pool calls it for each new
 * connection. An immediate shutdown warns with a notice. A fast shutdown (or
 * `pg_terminate_backend`) ends a session with a FATAL `57P01` error: the statement in flight
 * gets it, but with none in flight (a transaction between two statements, as under load when
 * the session a push waited on ended first) pg emits it as the client's 'error' event, and the
 * next statement fails with "Client has encountered a connection error and is not queryable",
 * with no code.
 */
export function watchStopNotices(client: { on(event: 'notice' | 'error', listener: (said: StopWord) => void): unknown }): void {
  const keep = (said: StopWord): void => {
    if (typeof said.code === 'string' && /^57P0[12]$/.test(said.code)) stopNotices.set(client, { code: said.code, message: String(said.message) });
  };
  client.on('notice', keep);
  client.on('error', keep);
}

/** `err`, or a DatabaseEndedError in its place when `client`'s connection ended after a stop notice. */
export function explainedEnd(err: unknown, client: object): unknown {
  const notice = stopNotices.get(client);
  if (notice === undefined || !(err instanceof Error)) return err;
  // The connection's end as pg or the socket reports it: no SQLSTATE of the database's own.
  const code = (err as { code?: unknown }).code;
  if (!/^(Connection terminated|Client has encountered a connection error)/.test(err.message) && code !== 'ECONNRESET' && code !== 'EPIPE') return err;
  return new DatabaseEndedError(notice.code, notice.message, { cause: err });
}

/**
 * Runs `use` on a client of `pool` (a pg Pool, or the store's StatementTracker), in a transaction that `begin` opens and that is committed
 * after it; on an error it is rolled back and the error rethrown. The client goes back to the
 * pool, or is destroyed when its connection failed meanwhile: the client emitted 'error' (the
 * database ended the connection), or the ROLLBACK could not run, or a statement got no
 * answer in time (DatabaseTimeoutError): that connection is not reused.
 */
export async function inTransaction<T>(pool: { connect(): Promise<PoolClient> }, use: (client: PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  const onError = (): void => {
    broken = true;
  };
  client.on('error', onError);
  try {
    await client.query(begin);
    const result = await use(client);
    await client.query('COMMIT');
    return result;
  } catch (caught) {
    const err = explainedEnd(typedTimeout(caught), client);
    if (err instanceof DatabaseTimeoutError) {
      // The unanswered statement is still the connection's: a ROLLBACK would queue behind it
      // and wait out the bound again. Destroying the client closes the socket (pg ends a client
      // with a query in flight by destroying it), and the database rolls back when it sees that.
      broken = true;
      throw err;
    }
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
