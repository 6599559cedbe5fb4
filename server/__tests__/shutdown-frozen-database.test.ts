/**
 * SIGTERM while the database is frozen (SIGSTOPped, or behind a network black hole: no error,
 * no FIN): closing the store waits for the database, and the process stayed up for as long as
 * the database did not answer (ten minutes seen, until it came back). Now the store gets a
 * grace of 5 s after the shutdown timeout, then the process exits 1 with one line saying why.
 */
import { expect, it } from 'vitest';
import { spawnServer } from '../../test-support/child-server.ts';
import { relayedTestDatabase } from './helpers/relayed-database.ts';
import { SECRET, signToken } from './helpers/test-server.ts';

const database = relayedTestDatabase();

it('exits 1 with one line once the shutdown timeout and the grace have passed', async () => {
  const s = await spawnServer({ FIELDSYNC_DATABASE_URL: database.relay.url, FIELDSYNC_SECRET: SECRET, FIELDSYNC_SHUTDOWN_TIMEOUT: '200ms' });
  try {
    const res = await fetch(`${s.url}/v1/sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await signToken({ sub: 'alice' })}`, 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: 'A', cursor: 0 }),
    });
    expect(res.status).toBe(200); // the pool now holds an open connection, which the freeze keeps
    database.relay.freeze();
    const started = Date.now();
    s.child.kill('SIGTERM');
    const timeout = new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 12_000).unref());
    expect(await Promise.race([s.exited, timeout])).toEqual({ code: 1, signal: null });
    expect(Date.now() - started).toBeGreaterThanOrEqual(5000);
    expect(s.stderr()).toBe('fieldsync: the database did not close within 5.2 s of SIGTERM; exiting without it\n');
  } finally {
    s.child.kill('SIGKILL');
    database.relay.thaw();
  }
}, 30_000);
