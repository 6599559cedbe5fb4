/** Files made whole at once (exclusive-file.ts); start-race.test.ts races two processes on them. */
import type * as NodeFs from 'node:fs';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TempDir } from '../../test-support/temp-dir.ts';
import { tempDir } from './helpers/temp-dir.ts';

/** The code `linkSync` fails with, or null for the real one. */
const link = vi.hoisted(() => ({ fails: null as string | null }));
vi.mock('node:fs', async (original) => {
  const fs = await original<typeof NodeFs>();
  const linkSync: typeof fs.linkSync = (from, to) => {
    if (link.fails) throw Object.assign(new Error(`${link.fails}: no links here`), { code: link.fails });
    fs.linkSync(from, to);
  };
  return { ...fs, linkSync, default: { ...fs, linkSync } };
});
const { createExclusive } = await import('../exclusive-file.ts');

let dir: TempDir;
afterEach(() => {
  link.fails = null;
  dir?.remove();
});

describe('createExclusive', () => {
  it.each([['with hard links', null], ['on a file system without them (EPERM: FAT, some shares)', 'EPERM']])('%s: creates the file whole, once; then finds it and changes nothing', (_name, fails) => {
    link.fails = fails;
    dir = tempDir();
    const file = join(dir.path, 'lock');
    expect(createExclusive(file, 'first\n', 0o600)).toBe(true);
    expect(createExclusive(file, 'second\n', 0o600)).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('first\n');
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir.path)).toEqual(['lock']); // no temporary file left behind
  });

  it('passes on any other failure of the file system, leaving nothing behind', () => {
    link.fails = 'EIO';
    dir = tempDir();
    expect(() => createExclusive(join(dir.path, 'lock'), 'x', 0o600)).toThrow('EIO: no links here');
    expect(readdirSync(dir.path)).toEqual([]);
  });
});
