/**
 * One transaction on a client of a `pg` pool, and what a connection that fails under it
 * needs: the push and the schema migration both run in one.
 */
import type { Pool, PoolClient } from 'pg';

/**
 * Runs `use` on a client of `pool`, in a transaction that `begin` opens and that is committed
 * after it; on an error it is rolled back and the error rethrown. The client goes back to the
 * pool, or is destroyed when its connection failed meanwhile: the client emitted 'error' (the
 * database ended the connection), or the ROLLBACK could not run.
 */
export async function inTransaction<T>(pool: Pool, use: (client: PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
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
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
