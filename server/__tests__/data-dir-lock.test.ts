/**
 * The data dir's lock (data-dir-lock.ts), in this process: process.test.ts runs the refusal
 * of a second server and the restart after a killed one; these are the cases a second process
 * cannot make: a lock taken twice here (and still held against other processes then), a lock
 * dropped unreleased, a server.pid left with a dead, reused, unreadable or foreign pid, a
 * release of a server.pid that is not its own, the files' modes, and a data dir that is not there.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { DatabaseSync } from 'node:sqlite';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../config.ts';
import { isRunning, LOCK_FILE, lockDataDir, PID_FILE, type DataDirLock } from '../stores/data-dir-lock.ts';
import type { TempDir } from '../../test-support/temp-dir.ts';
import { tempDir } from './helpers/temp-dir.ts';

let dir: TempDir;
const locks: DataDirLock[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const l of locks.splice(0)) l.release();
  for (const c of cleanups.splice(0)) c();
  vi.restoreAllMocks();
  dir?.remove();
});

function lock(): DataDirLock {
  const l = lockDataDir(dir.path);
  locks.push(l);
  return l;
}

const lockText = (): string => readFileSync(join(dir.path, PID_FILE), 'utf8');
const mode = (name: string): number => statSync(join(dir.path, name)).mode & 0o777;

/** A process that is not a Fieldsync server, alive until the test ends: its pid, as a reused one. */
function unrelatedProcess(): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  cleanups.push(() => child.kill('SIGKILL'));
  return child.pid as number;
}

/** lockDataDir(dir) in another process: 'locked', or the message it was refused with. */
function lockInOtherProcess(path: string): string {
  const module = pathToFileURL(join(import.meta.dirname, '..', 'stores', 'data-dir-lock.ts')).href;
  const code = `import { lockDataDir } from ${JSON.stringify(module)};
    try { lockDataDir(${JSON.stringify(path)}); console.log('locked'); } catch (err) { console.log(err.message); }`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 20_000 });
  expect(r.stderr).toBe('');
  return r.stdout.trim();
}

/**
 * What a server of pid `pid` killed in this dir leaves: server.lock, which it took last, and
 * server.pid naming it. (The lock file is not held: a test may open it.)
 */
function crashedServer(pid: number): void {
  const db = new DatabaseSync(join(dir.path, LOCK_FILE));
  db.exec(`PRAGMA user_version = ${pid}`);
  db.close();
  writeFileSync(join(dir.path, PID_FILE), `${pid}\n`);
}

/** A pid no process has: above Linux's greatest pid_max (2^22). */
const gonePid = 2 ** 22 + 1;

describe('the data dir lock, in one process', () => {
  it('refuses a second lock of the same dir while the first is held, and allows one after its release', () => {
    dir = tempDir();
    const first = lock();
    expect(() => lockDataDir(dir.path)).toThrow(ConfigError);
    expect(() => lockDataDir(dir.path)).toThrow(`another Fieldsync server (process ${process.pid}) uses the data dir ${dir.path}`);
    expect(lockText()).toBe(`${process.pid}\n`);
    first.release();
    expect(existsSync(join(dir.path, PID_FILE))).toBe(false);
    lock();
    expect(lockText()).toBe(`${process.pid}\n`);
  });

  it('a lock refused in this process leaves the lock held against other processes too', () => {
    // POSIX drops a process's locks on a file when any descriptor of it is closed: the refused
    // attempt must not close one behind the held lock's back.
    dir = tempDir();
    const first = lock();
    expect(() => lockDataDir(dir.path)).toThrow(ConfigError);
    expect(lockInOtherProcess(dir.path)).toMatch(`another Fieldsync server (process ${process.pid}) uses the data dir ${dir.path}`);
    first.release();
    expect(lockInOtherProcess(dir.path)).toBe('locked');
  });

  it('a lock dropped without a release holds the dir still, after a garbage collection', () => {
    // A connection nothing references is closed when it is collected, and its lock with it.
    dir = tempDir();
    lockDataDir(dir.path); // never released: held until this process ends
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
    expect(lockInOtherProcess(dir.path)).toMatch(`another Fieldsync server (process ${process.pid})`);
  });

  it('a pid of a live process that is not a Fieldsync server (a crashed server\'s pid, reused since) does not hold the dir', () => {
    dir = tempDir();
    const other = unrelatedProcess();
    expect(isRunning(other)).toBe(true);
    crashedServer(other);
    lock();
    expect(lockText()).toBe(`${process.pid}\n`);
  });

  it('a live pid in server.pid that never took server.lock (an older server, from before the lock) is refused until it ends, and nothing is written', () => {
    dir = tempDir();
    const other = unrelatedProcess();
    const pidFile = join(dir.path, PID_FILE);
    const refusal = new ConfigError(
      `${pidFile} names process ${other}, which is running and never took ${LOCK_FILE} in the data dir ${dir.path}: it may be a Fieldsync ` +
        `server of a version from before ${LOCK_FILE}, which this one cannot see. Stop it and start again; if process ${other} ` +
        `is not a Fieldsync server, remove ${pidFile} and start again`,
    );
    // A dir only an older server used: no server.lock at all.
    writeFileSync(pidFile, `${other}\n`);
    expect(() => lockDataDir(dir.path)).toThrow(refusal);
    expect(lockText()).toBe(`${other}\n`);
    // Refused again while it runs: the lock file the refused start made was never taken (it is
    // empty), and a start racing this one is refused as usual.
    expect(() => lockDataDir(dir.path)).toThrow(refusal);
    expect(readdirSync(dir.path).sort()).toEqual([LOCK_FILE, PID_FILE].sort());
    expect(statSync(join(dir.path, LOCK_FILE)).size).toBe(0);
    // A dir a new server used, then an older one again (a roll back): refused as well.
    unlinkSync(pidFile); // the older one stopped
    lock().release();
    writeFileSync(pidFile, `${other}\n`);
    expect(() => lockDataDir(dir.path)).toThrow(refusal);
    // Its own pid (a container's server restarted as the same pid) or a dead one: no older server.
    writeFileSync(pidFile, `${process.pid}\n`);
    lock().release();
    writeFileSync(pidFile, `${gonePid}\n`);
    lock();
    expect(lockText()).toBe(`${process.pid}\n`);
  });

  it('held without a server.pid (removed, or not written yet), the refusal names the lock file', () => {
    dir = tempDir();
    lock();
    unlinkSync(join(dir.path, PID_FILE));
    expect(() => lockDataDir(dir.path)).toThrow(`another Fieldsync server (the process that holds ${join(dir.path, LOCK_FILE)}) uses the data dir ${dir.path}`);
    writeFileSync(join(dir.path, PID_FILE), `${gonePid}\n`); // an older pid: not the owner's
    expect(() => lockDataDir(dir.path)).toThrow(`another Fieldsync server (the process that holds ${join(dir.path, LOCK_FILE)})`);
  });

  it('keeps its files private (0600, an older looser server.pid too) and leaves no journal; a release leaves only the lock file', () => {
    dir = tempDir();
    writeFileSync(join(dir.path, PID_FILE), `${gonePid}\n`, { mode: 0o644 });
    const l = lock();
    expect(readdirSync(dir.path).sort()).toEqual([LOCK_FILE, PID_FILE]);
    expect([mode(LOCK_FILE), mode(PID_FILE)]).toEqual([0o600, 0o600]);
    l.release();
    expect(readdirSync(dir.path)).toEqual([LOCK_FILE]);
  });

  it.each([
    ['a pid of a process that is gone', `${gonePid}\n`],
    ['this pid, left by an earlier process (a container restarted: the same pid again)', `${process.pid}\n`],
    ['no pid', ''],
    ['text', 'server\n'],
    ['pid 0', '0\n'],
    ['a negative pid', '-1\n'],
    ['a pid past the safe integers', '99999999999999999999\n'],
  ])('overwrites a server.pid left holding %s', (_name, text) => {
    dir = tempDir();
    writeFileSync(join(dir.path, PID_FILE), text);
    lock();
    expect(lockText()).toBe(`${process.pid}\n`);
  });

  it('a second release, after another lock took the dir, leaves the new lock file', () => {
    dir = tempDir();
    const first = lock();
    first.release();
    lock();
    first.release();
    expect(lockText()).toBe(`${process.pid}\n`);
    expect(() => lockDataDir(dir.path)).toThrow(ConfigError);
  });

  it('a release leaves a server.pid that is not its own (an older server\'s, started meanwhile): the next lock is refused while it runs, and overwrites it once it is gone', () => {
    dir = tempDir();
    const l = lock();
    writeFileSync(join(dir.path, PID_FILE), `${process.ppid}\n`);
    l.release();
    expect(lockText()).toBe(`${process.ppid}\n`);
    expect(() => lockDataDir(dir.path)).toThrow(`names process ${process.ppid}, which is running and never took ${LOCK_FILE}`);
    writeFileSync(join(dir.path, PID_FILE), `${gonePid}\n`);
    lock();
    expect(lockText()).toBe(`${process.pid}\n`);
  });

  it('server.lock kept open by another program (a sqlite3 shell reading it) is named as such, not as a server', () => {
    dir = tempDir();
    lock().release(); // the file, as a server leaves it
    const reader = new DatabaseSync(join(dir.path, LOCK_FILE));
    cleanups.push(() => reader.close());
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM sqlite_master').get(); // a read transaction, held
    expect(() => lockDataDir(dir.path)).toThrow(new ConfigError(
      `cannot lock the data dir ${dir.path}: ${join(dir.path, LOCK_FILE)} is open in another program (a sqlite3 shell, a backup tool?), not a Fieldsync server: close it and start again`,
    ));
    reader.exec('COMMIT');
    expect(() => lock()).not.toThrow();
  });

  it('a release once the dir is gone does nothing', () => {
    dir = tempDir();
    const l = lockDataDir(dir.path);
    rmSync(dir.path, { recursive: true, force: true });
    expect(() => l.release()).not.toThrow();
  });

  it('a data dir that does not exist fails with its own error, not a lock that keeps coming back', () => {
    dir = tempDir();
    const missing = join(dir.path, 'nothing');
    expect(() => lockDataDir(missing)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('isRunning: this process, one that is gone, and one of another user (EPERM) that exists', () => {
    expect(isRunning(process.pid)).toBe(true);
    expect(isRunning(gonePid)).toBe(false);
    const eperm = Object.assign(new Error('kill EPERM'), { code: 'EPERM' });
    vi.spyOn(process, 'kill').mockImplementation(() => {
      throw eperm;
    });
    expect(isRunning(12345)).toBe(true);
  });
});
