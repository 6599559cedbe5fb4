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
    const err = typedTimeout(caught);
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
