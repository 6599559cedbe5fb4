/**
 * Whose the data dir and its files must be (own-files.ts), in this process: the rules one by
 * one, where `foreign-files.test.ts` starts a whole server in a child process for each (which
 * a mutation run cannot reach: the child runs the code unmutated). Files are given to
 * `nobody` (uid 65534), which needs root; as another user only the rules that need no
 * chown run. The user this process runs as is made another than root, where a case needs
 * it, by stubbing `process.geteuid` (the rule reads it at each check).
 */
import { chmodSync, chownSync, lchownSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../config.ts';
import { ensureOwnDataDir, refuseForeignOwner } from '../own-files.ts';
import { startTestServer } from './helpers/test-server.ts';
import { tempDir } from './helpers/temp-dir.ts';

const NOBODY = 65534;
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const posix = typeof process.geteuid === 'function';

/** `text` matched as it is, at the start of a message. */
const startsWith = (text: string): RegExp => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);

/** What `fn` threw (the test fails if it threw nothing). */
function thrown(fn: () => void): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('nothing was thrown');
}

describe.skipIf(!posix)('the data dir and its files, the server\'s own', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    for (const c of cleanups.splice(0)) c();
  });
  const parent = (): string => {
    const d = tempDir('fieldsync-own-');
    cleanups.push(d.remove);
    return d.path;
  };

  it('makes a missing data dir, 0700, and takes one of its own as it is, files absent or present', () => {
    const dir = join(parent(), 'data');
    ensureOwnDataDir(dir, ['token-secret', 'fieldsync.sqlite']);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    writeFileSync(join(dir, 'token-secret'), 'x', { mode: 0o600 });
    expect(() => ensureOwnDataDir(dir, ['token-secret', 'fieldsync.sqlite'])).not.toThrow();
  });

  it('throws an error other than a missing file as it is', () => {
    const dir = join(parent(), 'data');
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, 'plain'), 'x');
    // `plain/x`: a path through a file, ENOTDIR, not a file that is simply not there.
    expect(thrown(() => ensureOwnDataDir(dir, ['plain/x']))).toMatchObject({ code: 'ENOTDIR' });
  });

  it('names the file, both uids and the way out in its refusal', () => {
    vi.spyOn(process, 'geteuid').mockReturnValue(1000);
    const err = thrown(() => refuseForeignOwner({ uid: 1234 } as never, 'the thing'));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe(
      'the thing belongs to another user (uid 1234), not to the user this server runs as (uid 1000): that user could read ' +
        'or replace what the server keeps there (the token secret, every user\'s data). If it is yours, give it to this user ' +
        '(chown); otherwise remove it, or give --data-dir a folder of this user\'s own',
    );
  });

  it('takes what is this user\'s or root\'s, run as another user than root', () => {
    vi.spyOn(process, 'geteuid').mockReturnValue(1000);
    expect(() => refuseForeignOwner({ uid: 1000 } as never, 'mine')).not.toThrow();
    expect(() => refuseForeignOwner({ uid: 0 } as never, 'root\'s')).not.toThrow();
    expect(() => refuseForeignOwner({ uid: 1001 } as never, 'another\'s')).toThrow(ConfigError);
  });

  it('checks nothing where there are no uids (Windows)', () => {
    const original = Object.getOwnPropertyDescriptor(process, 'geteuid');
    Object.defineProperty(process, 'geteuid', { value: undefined, configurable: true, writable: true });
    try {
      expect(() => refuseForeignOwner({ uid: 1234 } as never, 'anything')).not.toThrow();
    } finally {
      if (original) Object.defineProperty(process, 'geteuid', original);
    }
  });

  describe.skipIf(!asRoot)('files given to another user (needs root)', () => {
    it('refuses a data dir of another user before changing its mode; a real server does not start on it', async () => {
      const dir = join(parent(), 'data');
      mkdirSync(dir, { mode: 0o755 });
      chownSync(dir, NOBODY, NOBODY);
      expect(thrown(() => ensureOwnDataDir(dir, []))).toMatchObject({
        name: 'ConfigError', message: expect.stringMatching(startsWith(`the data dir ${dir} belongs to another user (uid ${NOBODY}), not to the user this server runs as (uid 0)`)),
      });
      expect(statSync(dir).mode & 0o777).toBe(0o755);
      await expect(startTestServer({ dataDir: dir })).rejects.toThrow(`the data dir ${dir} belongs to another user (uid ${NOBODY})`);
      expect(statSync(dir).mode & 0o777).toBe(0o755);
    });

    it('refuses a file of another user in the data dir, by its path', () => {
      const dir = join(parent(), 'data');
      mkdirSync(dir, { mode: 0o777 });
      const file = join(dir, 'token-secret');
      writeFileSync(file, 'x', { mode: 0o644 });
      chownSync(file, NOBODY, NOBODY);
      expect(thrown(() => ensureOwnDataDir(dir, ['fieldsync.sqlite', 'token-secret'])).message).toMatch(startsWith(`${file} belongs to another user (uid ${NOBODY})`));
      // The dir itself was tightened: it is this user's.
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    });

    it('refuses a link of its own to a file of another user, and a link of another user to a file of its own', () => {
      const dir = join(parent(), 'data');
      mkdirSync(dir, { mode: 0o700 });
      const elsewhere = join(parent(), 'theirs');
      writeFileSync(elsewhere, 'x');
      chownSync(elsewhere, NOBODY, NOBODY);
      const link = join(dir, 'token-secret');
      symlinkSync(elsewhere, link);
      expect(thrown(() => ensureOwnDataDir(dir, ['token-secret'])).message).toMatch(startsWith(`${link} (where its link points) belongs to another user (uid ${NOBODY})`));

      const dir2 = join(parent(), 'data');
      mkdirSync(dir2, { mode: 0o700 });
      const mine = join(parent(), 'mine');
      writeFileSync(mine, 'x');
      chmodSync(mine, 0o600);
      const theirLink = join(dir2, 'fieldsync.sqlite');
      symlinkSync(mine, theirLink);
      lchownSync(theirLink, NOBODY, NOBODY);
      expect(thrown(() => ensureOwnDataDir(dir2, ['fieldsync.sqlite'])).message).toMatch(startsWith(`${theirLink} belongs to another user (uid ${NOBODY})`));
    });
  });
});
