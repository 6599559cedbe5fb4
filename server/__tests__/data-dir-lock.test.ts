/**
 * The data dir's lock (data-dir-lock.ts), in this process: process.test.ts runs the refusal
 * of a second server and the stale file of a killed one; these are the cases a second process
 * cannot make: a lock taken twice here, a file with an unreadable or recycled pid, a release
 * of a file another process took since, and a data dir that is not there.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../config.ts';
import { isRunning, LOCK_FILE, lockDataDir, type DataDirLock } from '../stores/data-dir-lock.ts';
import type { TempDir } from '../../test-support/temp-dir.ts';
import { tempDir } from './helpers/temp-dir.ts';

let dir: TempDir;
const locks: DataDirLock[] = [];
afterEach(() => {
  for (const l of locks.splice(0)) l.release();
  vi.restoreAllMocks();
  dir?.remove();
});

function lock(): DataDirLock {
  const l = lockDataDir(dir.path);
  locks.push(l);
  return l;
}

const lockText = (): string => readFileSync(join(dir.path, LOCK_FILE), 'utf8');

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
    expect(existsSync(join(dir.path, LOCK_FILE))).toBe(false);
    lock();
    expect(lockText()).toBe(`${process.pid}\n`);
  });

  it.each([
    ['a pid of a process that is gone', `${gonePid}\n`],
    ['this pid, left by an earlier process (a container restarted: the same pid again)', `${process.pid}\n`],
    ['no pid', ''],
    ['text', 'server\n'],
    ['pid 0', '0\n'],
    ['a negative pid', '-1\n'],
    ['a pid past the safe integers', '99999999999999999999\n'],
  ])('replaces a stale file holding %s', (_name, text) => {
    dir = tempDir();
    writeFileSync(join(dir.path, LOCK_FILE), text);
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

  it('a release leaves a file that another process now holds', () => {
    dir = tempDir();
    const l = lock();
    writeFileSync(join(dir.path, LOCK_FILE), `${process.ppid}\n`);
    l.release();
    expect(lockText()).toBe(`${process.ppid}\n`);
    expect(() => lockDataDir(dir.path)).toThrow(`another Fieldsync server (process ${process.ppid})`);
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
