import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { LaunchArgsError, checkAppName, parseLaunchArgs, parseProfileArg, parseTileArg, profileDataDir, windowTitle } from '../launch-args.ts';
import { MIN_WIDTH, tileBounds } from '../tile.ts';

describe('launch arguments', () => {
  it('reads --profile in both forms, with a default', () => {
    expect(parseProfileArg(['electron', '.', '--profile', 'demo-1'])).toBe('demo-1');
    expect(parseProfileArg(['app', '--profile=work_2'])).toBe('work_2');
    expect(parseProfileArg(['app'])).toBe('default');
  });

  it('refuses profile names that are not plain folder names', () => {
    // nul, con, COM1, lpt9: Windows's devices, which a folder of that name would open.
    for (const bad of ['../etc', 'a/b', '', '.hidden', 'x'.repeat(65), 'spa ce', 'C:\\x', '-flag', 'nul', 'CON', 'Com1', 'lpt9', 'aux']) {
      expect(() => parseProfileArg(['--profile', bad]), bad).toThrow(LaunchArgsError);
    }
    expect(() => parseProfileArg(['--profile'])).toThrow(LaunchArgsError);
    for (const good of ['null', 'nul-1', 'con_2', 'com10', 'console']) expect(parseProfileArg(['--profile', good])).toBe(good);
    expect(() => profileDataDir('/home/u/.config', 'Fieldsync', 'NUL')).toThrow(LaunchArgsError);
  });

  it('puts each profile in its own folder under the app’s folder in the app data dir, named after the app', () => {
    expect(profileDataDir('/home/u/.config', 'Fieldsync', 'demo-2')).toBe(join('/home/u/.config', 'Fieldsync', 'profiles', 'demo-2'));
    // A fork renamed in package.json has its own databases (and single-instance lock).
    expect(profileDataDir('/home/u/.config', 'Acme Notes', 'default')).toBe(join('/home/u/.config', 'Acme Notes', 'profiles', 'default'));
    expect(() => profileDataDir('/x', 'Fieldsync', '../y')).toThrow(LaunchArgsError);
    for (const bad of ['', ' Acme', '..', 'a/b', 'a\\b', 'C:', 'x'.repeat(65), 'tab\there']) expect(() => checkAppName(bad), bad).toThrow(LaunchArgsError);
    // Nor a name Windows cannot give a folder (the app's data folder there is %APPDATA%\\<name>).
    for (const bad of ['CON', 'nul', 'Aux.app', 'COM1', 'lpt9', 'Acme.']) expect(() => checkAppName(bad), bad).toThrow(LaunchArgsError);
    for (const good of ['Console', 'Nullify', 'Acme.Notes', 'COM10 Notes']) expect(checkAppName(good)).toBe(good);
  });

  it('keeps the reference app in the folder it always used: its name is Fieldsync; a fork names its own', () => {
    const root = join(import.meta.dirname, '..', '..', '..', '..');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { productName?: string };
    // productName is the one source of the app's name: it must be a valid folder name.
    expect(() => checkAppName(pkg.productName as string)).not.toThrow();
    // The reference app is the one with its appId: renaming it would move its users' data
    // folder. A fork changes both (docs/fork.md, "Your app's name").
    const appId = /^appId:\s*(\S+)/m.exec(readFileSync(join(root, 'electron-builder.yml'), 'utf8'))?.[1];
    if (appId === 'dev.fieldsync.app') expect(pkg.productName).toBe('Fieldsync');
    else expect(pkg.productName, 'a fork with its own appId has its own productName').not.toBe('Fieldsync');
  });

  it('reads the server from --server or the environment, and the token only from the environment', () => {
    expect(parseLaunchArgs(['--server', 'http://127.0.0.1:8787', '--tile', '2/3'], { FIELDSYNC_TOKEN: ' t0k ' })).toEqual({
      profile: 'default', serverUrl: 'http://127.0.0.1:8787', token: 't0k', tile: { index: 1, count: 3 }, syncIntervalMs: null,
    });
    expect(parseLaunchArgs(['--sync-interval-ms', '0'], {}).syncIntervalMs).toBe(0); // never: the e2e scenarios' pokes alone
    expect(() => parseLaunchArgs(['--sync-interval-ms=2147483648'], {})).toThrow(/^--sync-interval-ms must be a whole number of ms from 0 \(never\) to 2147483647, got "2147483648"$/);
    expect(parseLaunchArgs([], { FIELDSYNC_SERVER_URL: 'https://sync.example' })).toMatchObject({ serverUrl: 'https://sync.example', token: null, tile: null });
    expect(() => parseLaunchArgs(['--server', 'file:///etc/passwd'], {})).toThrow(LaunchArgsError);
    expect(() => parseLaunchArgs(['--server', 'http://'], {})).toThrow('--server is not a URL');
    // Not echoed: the address may hold a password.
    expect(() => parseLaunchArgs([], { FIELDSYNC_SERVER_URL: 'https://alice:s3cret@sync.example' }))
      .toThrow(/^--server must have no user name or password: the app signs in with its token \(FIELDSYNC_TOKEN\)$/);
    expect(() => parseLaunchArgs(['--server', 'https://sync.example/?x=1'], {})).toThrow('--server must have no query or fragment');
    expect(parseLaunchArgs(['--server', 'https://sync.example/fieldsync'], {}).serverUrl).toBe('https://sync.example/fieldsync');
  });

  it('reads --tile as position/count', () => {
    expect(parseTileArg(['--tile=1/1'])).toEqual({ index: 0, count: 1 });
    for (const bad of ['0/3', '4/3', '1/0', 'a/b', '1-3', '100/200']) expect(() => parseTileArg(['--tile', bad]), bad).toThrow(LaunchArgsError);
  });

  it('titles the window with the profile', () => {
    expect(windowTitle('Fieldsync', 'demo-3')).toBe('Fieldsync — demo-3');
    expect(windowTitle('Acme Notes', 'demo-3')).toBe('Acme Notes — demo-3');
  });
});

describe('tile bounds', () => {
  const area = { x: 0, y: 25, width: 1920, height: 1055 };

  it('places windows side by side, covering the work area exactly', () => {
    const tiles = [0, 1, 2].map((index) => tileBounds(area, { index, count: 3 }));
    expect(tiles).toEqual([
      { x: 0, y: 25, width: 640, height: 1055 },
      { x: 640, y: 25, width: 640, height: 1055 },
      { x: 1280, y: 25, width: 640, height: 1055 },
    ]);
  });

  it('wraps into rows when columns would be too narrow, and clamps odd input', () => {
    const small = { x: 100, y: 0, width: 1280, height: 800 };
    const tiles = Array.from({ length: 5 }, (_, index) => tileBounds(small, { index, count: 5 }));
    for (const t of tiles) {
      expect(t.width).toBeGreaterThanOrEqual(MIN_WIDTH);
      expect(t.x).toBeGreaterThanOrEqual(100);
      expect(t.x + t.width).toBeLessThanOrEqual(1380);
      expect(t.y + t.height).toBeLessThanOrEqual(800);
    }
    expect(new Set(tiles.map((t) => `${t.x},${t.y}`)).size).toBe(5);
    expect(tileBounds(small, { index: 9, count: 2 })).toEqual(tileBounds(small, { index: 1, count: 2 }));
    expect(tileBounds({ x: 0, y: 0, width: 300, height: 300 }, { index: 0, count: 1 })).toEqual({ x: 0, y: 0, width: 300, height: 300 });
  });
});
