import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostConfigError, parseHostArgs, removeRetiredKey, RETIRED_KEY_FILE } from '../host-config.ts';

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
      frameAncestor: null,
      syncIntervalMs: null,
    });
  });

  it('reads flags (both spellings) and the environment; a flag wins', () => {
    const config = parseHostArgs(
      ['--profile=a', '--profile-dir', 'p', '--port=4100', '--renderer-dir', '/r', '--server', 'http://127.0.0.1:8787', '--frame-ancestor', 'http://127.0.0.1:4200', '--sync-interval-ms', '0'],
      { ...TOKEN, FIELDSYNC_SERVER_URL: 'http://other', FIELDSYNC_HOST_KEY: 'k'.repeat(43) },
      '/app',
    );
    expect(config).toEqual({ profile: 'a', profileDir: '/app/p', serverUrl: 'http://127.0.0.1:8787', token: 'tok', port: 4100, rendererDir: '/r', frameAncestor: 'http://127.0.0.1:4200', syncIntervalMs: 0 });
    expect(parseHostArgs(['--profile', 'a', '--sync-interval-ms=2147483647'], {})?.syncIntervalMs).toBe(2_147_483_647);
    expect(parseHostArgs(['--profile', 'a'], { ...TOKEN, FIELDSYNC_SERVER_URL: 'http://s:1' })?.serverUrl).toBe('http://s:1');
  });

  it('returns null for --help', () => {
    expect(parseHostArgs(['--help'], {})).toBeNull();
  });

  it.each([
    [[], {}, '--profile is required'],
    [['--profile', '../x'], {}, '--profile must be'],
    [['--profile', 'NUL'], {}, 'not a name Windows keeps for a device'],
    [['--profile', 'a', '--port', '70000'], {}, '--port must be'],
    [['--profile', 'a', '--port', '-1'], {}, '--port must be'],
    [['--profile', 'a', '--port'], {}, '--port needs a value'],
    [['--profile', 'a', '--token', 'x'], {}, 'unknown argument: --token'],
    [['--profile', 'a', '--server', 'ftp://x'], TOKEN, '--server must be an http:// or https:// URL'],
    [['--profile', 'a', '--server', 'https://alice:s3cret@x'], TOKEN, '--server must have no user name or password'],
    [['--profile', 'a', '--server', 'https://x/#y'], TOKEN, '--server must have no query or fragment'],
    [['--profile', 'a', '--server', 'nope'], TOKEN, 'not a URL'],
    [['--profile', 'a', '--server', 'http://s'], {}, 'FIELDSYNC_TOKEN'],
    [['--profile', 'a', '--server-url', 'http://s'], {}, 'FIELDSYNC_TOKEN'], // the former name
    // Only another port of the host's own address may frame it: never a site, never "*".
    [['--profile', 'a', '--frame-ancestor', 'https://evil.example'], {}, '--frame-ancestor must be'],
    [['--profile', 'a', '--frame-ancestor', '*'], {}, '--frame-ancestor must be'],
    [['--profile', 'a', '--frame-ancestor', 'http://127.0.0.1:80 https://evil.example'], {}, '--frame-ancestor must be'],
    [['--profile', 'a', '--frame-ancestor', 'http://127.0.0.1:99999'], {}, '--frame-ancestor must be'],
    // setTimeout fires a longer wait at once: the interval would become a sync loop.
    [['--profile', 'a', '--sync-interval-ms', '2147483648'], {}, '--sync-interval-ms must be a whole number of ms from 0 (never)'],
    [['--profile', 'a', '--sync-interval-ms', '-1'], {}, '--sync-interval-ms must be'],
    [['--profile', 'a', '--sync-interval-ms', '1.5'], {}, '--sync-interval-ms must be'],
    [['--profile', 'a', '--sync-interval-ms', ''], {}, '--sync-interval-ms must be'],
  ] as const)('refuses %j with one clear line', (argv, env, message) => {
    expect(() => parseHostArgs(argv, env)).toThrow(HostConfigError);
    expect(() => parseHostArgs(argv, env)).toThrow(message);
  });
});

it('has no instance key any more: FIELDSYNC_HOST_KEY is ignored (sessions live one host run, in its memory)', () => {
  expect(parseHostArgs(['--profile', 'a'], { FIELDSYNC_HOST_KEY: 'short' })).not.toHaveProperty('key');
});

it('deletes the instance key an older version kept in the profile (a file or a link, never what a link points to), and nothing else', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fieldsync-retired-key-'));
  try {
    expect(removeRetiredKey(dir)).toBe(false); // none: nothing to do
    writeFileSync(join(dir, RETIRED_KEY_FILE), 'k'.repeat(43));
    writeFileSync(join(dir, 'fieldsync.db'), '');
    expect(removeRetiredKey(dir)).toBe(true);
    expect([existsSync(join(dir, RETIRED_KEY_FILE)), existsSync(join(dir, 'fieldsync.db'))]).toEqual([false, true]);
    writeFileSync(join(dir, 'elsewhere'), 'keep');
    symlinkSync(join(dir, 'elsewhere'), join(dir, RETIRED_KEY_FILE));
    expect(removeRetiredKey(dir)).toBe(true);
    expect(existsSync(join(dir, 'elsewhere'))).toBe(true);
    mkdirSync(join(dir, RETIRED_KEY_FILE));
    expect(removeRetiredKey(dir)).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
