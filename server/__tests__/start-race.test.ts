/**
 * Two server processes starting at the same moment on one data dir (docker compose replicas,
 * a supervisor and a manual start, `npm run server` and `npm run token` in one script): exactly
 * one takes the lock, and both read the one secret. Each file was created first and written
 * after, and a process that read it in between found it empty: it took the lock for a stale
 * one and deleted it (both servers then ran on one database, 1-3 % of such starts), or the
 * secret for a broken one and refused to start, telling the user to remove it. The lock is an
 * OS lock now (data-dir-lock.ts); this still proves one holder per dir.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TempDir } from '../../test-support/temp-dir.ts';
import { tempDir } from './helpers/temp-dir.ts';

const DIRS = 400;
const worker = join(import.meta.dirname, 'helpers', 'start-race-worker.ts');

interface Outcome {
  readonly locked: number[];
  readonly secrets: string[];
  readonly failures: string[];
}

let base: TempDir;
afterEach(() => base?.remove());

function run(role: string): Promise<number | null> {
  const child = spawn(process.execPath, [worker, role, base.path, String(DIRS)], { stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve) => child.on('exit', resolve));
}

describe('two servers starting at once on the same data dirs', () => {
  it('one takes each lock, the other is refused; both read the one secret, and nothing else fails', async () => {
    base = tempDir();
    for (let i = 0; i < DIRS; i++) mkdirSync(join(base.path, `d${i}`), { mode: 0o700 });
    expect(await Promise.all([run('a'), run('b')])).toEqual([0, 0]);
    const [a, b] = ['a', 'b'].map((r) => JSON.parse(readFileSync(join(base.path, `${r}.json`), 'utf8')) as Outcome) as [Outcome, Outcome];
    expect([...a.failures, ...b.failures]).toEqual([]);
    const both = a.locked.filter((i) => b.locked.includes(i));
    expect(both).toEqual([]);
    expect(a.locked.length + b.locked.length).toBe(DIRS);
    const differ = a.secrets.filter((s, i) => s !== b.secrets[i]);
    expect(differ).toEqual([]);
  }, 60_000);
});
