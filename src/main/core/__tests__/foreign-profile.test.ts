/**
 * Round 59: another user of the machine (uid `nobody`) who got to an instance's profile before
 * the app did: a `--profile-dir /tmp/fieldsync-web` of the browser host that it made itself,
 * or a database file it put in a profile while that was open to others. The app core made
 * the folder 0700 and the file 0600, which keeps out only those who must go through the
 * folder, not its owner; and a core run as root (a browser host in a container) passed every
 * check, its `chmod` never failing, then wrote the user's todos (and, in the host, its port
 * file) where the other user could change the mode back and read them. The server refuses
 * such a data dir since round 55 (`server/__tests__/foreign-files.test.ts`); the app core now
 * refuses such a profile, before it changes or writes anything in it. Runs only where the
 * tests run as root, which can give files to `nobody`; skipped elsewhere.
 */
import { chownSync, existsSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '../../../../test-support/temp-dir.ts';
import { createAppCore, DB_FILE } from '../app-core.ts';
import { ForeignProfileError } from '../own-profile.ts';

const NOBODY = 65534;
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const why = asRoot ? null : 'needs root, to give files to nobody';
const mode = (path: string): number => statSync(path).mode & 0o777;

describe.skipIf(why !== null)(`a profile another user got to first${why ? ` (skipped: ${why})` : ''}`, () => {
  const dirs: TempDir[] = [];
  const parent = (): string => {
    const d = tempDir('fieldsync-foreign-profile-');
    dirs.push(d);
    return d.path;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });
  const open = (profileDir: string) => createAppCore({ profileDir, profile: 'web-1', log: () => {} });

  it('refuses a profile folder that belongs to another user, before changing its mode or writing in it', async () => {
    const dir = join(parent(), 'profile');
    mkdirSync(dir, { mode: 0o755 });
    chownSync(dir, NOBODY, NOBODY);
    const refused = await open(dir).then(() => null, (err: unknown) => err);
    expect(refused).toBeInstanceOf(ForeignProfileError);
    expect((refused as Error).message).toContain(`the profile folder ${dir} belongs to another user (uid ${NOBODY})`);
    expect(mode(dir)).toBe(0o755); // root's chmod did not run
    expect(existsSync(join(dir, DB_FILE))).toBe(false); // and no todo was written there
  });

  it('refuses a database file another user put in the profile, and one it linked there', async () => {
    for (const plant of ['file', 'symlink'] as const) {
      const dir = join(parent(), 'profile');
      mkdirSync(dir, { mode: 0o777 }); // open to others once: the core tightens it at start
      const file = join(dir, DB_FILE);
      if (plant === 'file') {
        writeFileSync(file, '', { mode: 0o666 });
        chownSync(file, NOBODY, NOBODY);
      } else {
        const elsewhere = join(parent(), 'kept.db');
        writeFileSync(elsewhere, '', { mode: 0o666 });
        chownSync(elsewhere, NOBODY, NOBODY);
        symlinkSync(elsewhere, file);
      }
      const refused = await open(dir).then(() => null, (err: unknown) => err);
      expect(refused, plant).toBeInstanceOf(ForeignProfileError);
      expect((refused as Error).message, plant).toContain(`belongs to another user (uid ${NOBODY})`);
      expect(statSync(file).size, plant).toBe(0); // nothing written into it
    }
  });

  it("still opens the user's own profile, and one root made (root's own files are trusted)", async () => {
    const dir = join(parent(), 'profile');
    const core = await open(dir);
    expect((await core.dispatch('info', [])).ok).toBe(true);
    await core.close();
    expect(mode(dir)).toBe(0o700);
  });
});
