import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensurePrivateDir } from 'fieldsync/sqlite';
import { tempDir, type TempDir } from '../../../../test-support/temp-dir.ts';
import { claimProfileDir, type ProfileDirApp } from '../profile-dir.ts';
import { profileDataDir } from '../launch-args.ts';

let dir: TempDir | null = null;
afterEach(() => dir?.remove());

/** Electron's app as far as this goes: setPath refuses a missing directory, as documented. */
function fakeApp(locked = true) {
  const calls: string[] = [];
  let userData: string | null = null;
  const app: ProfileDirApp = {
    setPath: (name, path) => {
      if (!existsSync(path)) throw new Error(`Failed to set path: ${path} does not exist`);
      userData = path;
      calls.push(`setPath ${name}`);
    },
    requestSingleInstanceLock: (data) => {
      calls.push(`lock ${JSON.stringify(data)} in ${userData}`);
      return locked;
    },
  };
  return { app, calls };
}

describe('claimProfileDir', () => {
  it('creates a first launch’s profile folder, owner only, before setPath, then takes the profile’s lock there', () => {
    dir = tempDir();
    const profileDir = profileDataDir(dir.path, 'Fieldsync', 'demo-2');
    const f = fakeApp();
    expect(claimProfileDir(f.app, { dir: profileDir, profile: 'demo-2', ensureDir: ensurePrivateDir })).toBe(true);
    expect(f.calls).toEqual(['setPath userData', `lock {"profile":"demo-2"} in ${profileDir}`]);
    if (process.platform !== 'win32') expect(statSync(profileDir).mode & 0o777).toBe(0o700);
    expect(existsSync(join(dir.path, 'Fieldsync', 'profiles'))).toBe(true);
  });

  it('says so when another instance holds the profile', () => {
    dir = tempDir();
    expect(claimProfileDir(fakeApp(false).app, { dir: join(dir.path, 'p'), profile: 'p', ensureDir: ensurePrivateDir })).toBe(false);
  });
});
