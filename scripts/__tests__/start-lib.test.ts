import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/temp-dir.ts';
import { findElectronBinary } from '../lib/electron-binary.ts';
import { serverIsUp } from '../lib/server-health.ts';
import { PROFILE_PATTERN, parseProfileArg } from '../../src/main/electron/launch-args.ts';
import { parseHostArgs } from '../../src/web-host/host-config.ts';
import { MAX_INSTANCES, MAX_USER_LENGTH, StartArgsError, canStartServerAt, instanceLaunch, instanceProfile, parseStartArgs } from '../lib/start-args.ts';

describe('npm start arguments', () => {
  it('defaults to 3 instances of user demo on the local server', () => {
    expect(parseStartArgs([])).toEqual({ instances: 3, serverUrl: 'http://127.0.0.1:8787', user: 'demo', build: true, open: true });
    expect(parseStartArgs(['--instances', '2', '--server=http://localhost:9000/', '--no-build', '--no-open'])).toEqual({ instances: 2, serverUrl: 'http://localhost:9000', user: 'demo', build: false, open: false });
    expect(parseStartArgs([], { FIELDSYNC_SERVER_URL: 'https://sync.example' })?.serverUrl).toBe('https://sync.example');
    expect(parseStartArgs(['--help'])).toBeNull();
  });

  it('refuses bad values with a message that names the option', () => {
    for (const bad of [['--instances', '0'], ['--instances', '9'], ['--instances', 'two'], ['--instances'], ['--server', 'ftp://x'], ['--server', 'nope'], ['--server', 'http://u:p@h'], ['--server', 'http://h/?q'], ['--server', 'http://127.0.0.1:8787/sync'], ['--user', 'a b'], ['--frobnicate']]) {
      expect(() => parseStartArgs(bad), bad.join(' ')).toThrow(StartArgsError);
    }
    expect(() => parseStartArgs(['--server', 'http://127.0.0.1:8787/sync/'])).toThrow('--server is a server on this machine, at its root: http://127.0.0.1:8787, without /sync/');
    // A password is not echoed.
    expect(() => parseStartArgs(['--server', 'http://alice:s3cret@h'])).toThrow(/^--server must have no user name or password: the app signs in with its token \(FIELDSYNC_TOKEN\)$/);
  });

  it('gives each instance its profile and tile', () => {
    expect(instanceLaunch(1, 3, 'http://127.0.0.1:8787', 'demo')).toEqual({
      profile: 'demo-2',
      args: ['--profile', 'demo-2', '--server', 'http://127.0.0.1:8787', '--tile', '2/3'],
    });
    expect(instanceLaunch(0, 1, 'http://x', 'me@home').profile).toMatch(/^me_home_[0-9a-f]{10}-1$/);
    expect(instanceProfile(0, 'alice')).toBe('alice-1');
    expect(instanceProfile(7, 'a-2')).toBe('a-2-8');
  });

  it('gives no two users one profile, on a disk that ignores case too (macOS, Windows)', () => {
    // Each group once shared a folder: `.` and `@` became `_`, and the disk folds case.
    const groups = [['a.b', 'a_b', 'a@b', 'A.b', 'a-b', 'ab'], ['Demo', 'demo', 'DEMO', 'demo_'], ['alice', 'Alice', 'alice.', 'alice@']];
    const longest = 'x'.repeat(MAX_USER_LENGTH);
    groups.push([longest, `${longest.slice(1)}.`, `${longest.slice(1)}@`, `${longest.slice(1)}_`]);
    for (const users of groups) {
      for (let i = 0; i < MAX_INSTANCES; i++) {
        const folders = users.map((u) => instanceProfile(i, u).toLowerCase());
        expect(new Set(folders).size, `${users.join(' ')} ${i + 1}: ${folders.join(' ')}`).toBe(users.length);
      }
    }
    // The same name is always the same profile: a restart finds its data.
    expect(instanceProfile(0, 'Me@Home')).toBe(instanceProfile(0, 'Me@Home'));
  });

  it('takes only a --user whose every profile the app and the browser host take, for any number of instances', () => {
    const longest = `a${'b'.repeat(MAX_USER_LENGTH - 1)}`;
    for (const user of ['demo', 'alice', 'Bob2', '7', 'me@home', 'first.last', 'a_b-c', 'x.', 'y@', 'z-', longest]) {
      expect(parseStartArgs(['--user', user])?.user, user).toBe(user);
      for (let count = 1; count <= MAX_INSTANCES; count++) {
        for (let i = 0; i < count; i++) {
          const { profile, args } = instanceLaunch(i, count, 'http://127.0.0.1:8787', user);
          expect(profile, `${user} ${i + 1}/${count}`).toMatch(PROFILE_PATTERN);
          expect(parseProfileArg(args)).toBe(profile); // Electron's own check, which would exit with 2
          expect(parseHostArgs(['--profile', profile], {})?.profile).toBe(profile); // the browser host's
          expect(instanceProfile(i, user)).toBe(profile); // start:web's
        }
      }
    }
    // Each made every window exit at its start, and `npm start` then said every window was closed.
    for (const user of ['_alice', '.bob', '@carol', '-dan', `${longest}c`, 'a'.repeat(64), '', 'a b', 'ä']) {
      expect(() => parseStartArgs(['--user', user]), JSON.stringify(user)).toThrow(StartArgsError);
    }
    expect(() => parseStartArgs(['--user', '_alice'])).toThrow(`--user must be 1 to ${MAX_USER_LENGTH} letters, digits or . _ @ -, starting with a letter or digit, got "_alice"`);
  });

  it('starts a server only on this machine', () => {
    expect(canStartServerAt('http://127.0.0.1:8787')).toEqual({ host: '127.0.0.1', port: 8787 });
    expect(canStartServerAt('http://localhost:9000')).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(canStartServerAt('https://127.0.0.1:8787')).toBeNull();
    expect(canStartServerAt('http://sync.example:8787')).toBeNull();
  });
});

describe('Electron binary', () => {
  it('is found through path.txt, never downloaded', () => {
    const dir = tempDir();
    try {
      const pkg = join(dir.path, 'electron');
      mkdirSync(join(pkg, 'dist'), { recursive: true });
      expect(findElectronBinary(pkg).ok).toBe(false); // no package.json: not installed
      writeFileSync(join(pkg, 'package.json'), '{}');
      expect(findElectronBinary(pkg)).toMatchObject({ ok: false, reason: expect.stringContaining('path.txt') });
      writeFileSync(join(pkg, 'path.txt'), 'electron');
      expect(findElectronBinary(pkg)).toMatchObject({ ok: false, reason: expect.stringContaining('missing') });
      writeFileSync(join(pkg, 'dist', 'electron'), '');
      expect(findElectronBinary(pkg)).toEqual({ ok: true, path: join(pkg, 'dist', 'electron') });
      expect(findElectronBinary(pkg, { ELECTRON_OVERRIDE_DIST_PATH: join(dir.path, 'empty') }).ok).toBe(false);
    } finally {
      dir.remove();
    }
  });
});

describe('server health', () => {
  const answer = (status: number, body: unknown) => async () => ({ status, json: async () => body });
  it('is up only when /healthz says ok', async () => {
    expect(await serverIsUp('http://x', answer(200, { ok: true }))).toBe(true);
    expect(await serverIsUp('http://x', answer(503, { ok: false }))).toBe(false);
    expect(await serverIsUp('http://x', answer(200, { hello: 'another server' }))).toBe(false);
    expect(await serverIsUp('http://x', async () => { throw new Error('ECONNREFUSED'); })).toBe(false);
  });
});
