/**
 * SIGTERM while the database is frozen (SIGSTOPped, or behind a network black hole: no error,
 * no FIN): closing the store waits for the database, and the process stayed up for as long as
 * the database did not answer (ten minutes seen, until it came back). Now the store gets a
 * grace of 5 s after the shutdown timeout, then the process exits 1 with one line saying why.
 *
 * That the process waited the grace is shown by the timer that ended it (round 68: the case
 * asserted at least 5000 ms from SIGTERM to exit, a timed assertion): test-support/exit-probe.ts,
 * loaded into the child, writes down which of server/main.ts's timers called `process.exit`,
 * and that timer was armed for the shutdown timeout plus the grace.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { ROOT, spawnServer } from '../../test-support/child-server.ts';
import { relayedTestDatabase } from './helpers/relayed-database.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { SECRET, signToken } from './helpers/test-server.ts';

const database = relayedTestDatabase();
const EXIT_PROBE = pathToFileURL(join(ROOT, 'test-support', 'exit-probe.ts')).href;

it('exits 1 with one line once the shutdown timeout and the grace have passed', async () => {
  const dir = tempDir();
  const probeFile = join(dir.path, 'exit.json');
  const s = await spawnServer({
    FIELDSYNC_DATABASE_URL: database.relay.url,
    FIELDSYNC_SECRET: SECRET,
    FIELDSYNC_SHUTDOWN_TIMEOUT: '200ms',
    FIELDSYNC_EXIT_PROBE: probeFile,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${EXIT_PROBE}`.trim(),
  });
  try {
    const res = await fetch(`${s.url}/v1/sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await signToken({ sub: 'alice' })}`, 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: 'A', cursor: 0 }),
    });
    expect(res.status).toBe(200); // the pool now holds an open connection, which the freeze keeps
    database.relay.freeze();
    s.child.kill('SIGTERM');
    const timeout = new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 12_000).unref());
    expect(await Promise.race([s.exited, timeout])).toEqual({ code: 1, signal: null });
    // It exited from inside the timer armed at SIGTERM for 0.2 s + 5 s: not before it fired.
    expect(JSON.parse(readFileSync(probeFile, 'utf8'))).toEqual({ code: 1, fromTimerMs: 5200 });
    expect(s.stderr()).toBe('fieldsync: the database did not close within 5.2 s of SIGTERM; exiting without it\n');
  } finally {
    s.child.kill('SIGKILL');
    database.relay.thaw();
    dir.remove();
  }
}, 30_000);
