import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostConfigError, KEY_FILE, loadInstanceKey, parseHostArgs } from '../host-config.ts';

const TOKEN = { FIELDSYNC_TOKEN: 'tok' };

describe('browser host settings', () => {
  it('has defaults for everything but the profile', () => {
    expect(parseHostArgs(['--profile', 'web-1'], {}, '/app')).toEqual({
      profile: 'web-1',
      profileDir: '/app/.data/web/web-1',
      serverUrl: null,
      token: null,
      port: 0,
      rendererDir: '/app/out/renderer',
      key: null,
      frameAncestor: null,
    });
  });

  it('reads flags (both spellings) and the environment; a flag wins', () => {
    const config = parseHostArgs(
      ['--profile=a', '--profile-dir', 'p', '--port=4100', '--renderer-dir', '/r', '--server', 'http://127.0.0.1:8787', '--frame-ancestor', 'http://127.0.0.1:4200'],
      { ...TOKEN, FIELDSYNC_SERVER_URL: 'http://other', FIELDSYNC_HOST_KEY: 'k'.repeat(43) },
      '/app',
    );
    expect(config).toEqual({ profile: 'a', profileDir: '/app/p', serverUrl: 'http://127.0.0.1:8787', token: 'tok', port: 4100, rendererDir: '/r', key: 'k'.repeat(43), frameAncestor: 'http://127.0.0.1:4200' });
    expect(parseHostArgs(['--profile', 'a'], { ...TOKEN, FIELDSYNC_SERVER_URL: 'http://s:1' })?.serverUrl).toBe('http://s:1');
  });

  it('returns null for --help', () => {
    expect(parseHostArgs(['--help'], {})).toBeNull();
  });

  it.each([
    [[], {}, '--profile is required'],
    [['--profile', '../x'], {}, '--profile must be'],
    [['--profile', 'a', '--port', '70000'], {}, '--port must be'],
    [['--profile', 'a', '--port', '-1'], {}, '--port must be'],
    [['--profile', 'a', '--port'], {}, '--port needs a value'],
    [['--profile', 'a', '--token', 'x'], {}, 'unknown argument: --token'],
    [['--profile', 'a', '--server', 'ftp://x'], TOKEN, 'http or https'],
    [['--profile', 'a', '--server', 'nope'], TOKEN, 'not a URL'],
    [['--profile', 'a', '--server', 'http://s'], {}, 'FIELDSYNC_TOKEN'],
    [['--profile', 'a', '--server-url', 'http://s'], {}, 'FIELDSYNC_TOKEN'], // the former name
    [['--profile', 'a'], { FIELDSYNC_HOST_KEY: 'short' }, 'FIELDSYNC_HOST_KEY'],
    // Only another port of the host's own address may frame it: never a site, never "*".
    [['--profile', 'a', '--frame-ancestor', 'https://evil.example'], {}, '--frame-ancestor must be'],
    [['--profile', 'a', '--frame-ancestor', '*'], {}, '--frame-ancestor must be'],
    [['--profile', 'a', '--frame-ancestor', 'http://127.0.0.1:80 https://evil.example'], {}, '--frame-ancestor must be'],
    [['--profile', 'a', '--frame-ancestor', 'http://127.0.0.1:99999'], {}, '--frame-ancestor must be'],
  ] as const)('refuses %j with one clear line', (argv, env, message) => {
    expect(() => parseHostArgs(argv, env)).toThrow(HostConfigError);
    expect(() => parseHostArgs(argv, env)).toThrow(message);
  });
});

describe('the instance key', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is made once, kept in the profile with mode 0600, and the same after a restart', () => {
    dir = mkdtempSync(join(tmpdir(), 'fieldsync-key-'));
    const profile = join(dir, 'web-1');
    const key = loadInstanceKey(profile);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(profile, KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(loadInstanceKey(profile)).toBe(key);
    expect(readFileSync(join(profile, KEY_FILE), 'utf8').trim()).toBe(key);
  });

  it('refuses a damaged key file', () => {
    dir = mkdtempSync(join(tmpdir(), 'fieldsync-key-'));
    writeFileSync(join(dir, KEY_FILE), 'bad\n');
    expect(() => loadInstanceKey(dir)).toThrow(/delete it/);
  });
});
