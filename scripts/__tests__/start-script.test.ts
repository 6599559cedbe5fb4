/**
 * `npm start` end to end, without Electron. Electron's package is a stand-in
 * (FIELDSYNC_ELECTRON_DIR) whose installer succeeds (writing a stand-in binary), fails, or
 * leaves a binary that does not start:
 *   - binary present or fetched: a real server starts, a token is signed, and N instances are
 *     launched with their profiles and tiles; each checks its token against the server;
 *   - not fetchable: one line says why, and the same demo runs in the browser (a real server
 *     and real browser hosts), whose URLs are printed; Ctrl-C stops everything.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../test-support/free-port.ts';
import { printedLines } from '../../test-support/printed-lines.ts';
import { tempDir } from '../../test-support/temp-dir.ts';

const root = join(import.meta.dirname, '..', '..');
const posix = process.platform !== 'win32';

/** Every run has a screen (an X display named) unless a test takes it away. */
function start(args: string[], env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [join(root, 'scripts', 'start.ts'), ...args], { cwd: root, env: { ...process.env, FIELDSYNC_SECRET: '', DISPLAY: ':99', ...env } });
}

function run(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = start(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`start.ts did not finish:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A stand-in for Electron's binary: as Node (ELECTRON_RUN_AS_NODE) it is Node; as the app it
 * records its arguments, checks its token with the server, and stays up while FAKE_STAY is set.
 */
function writeFakeElectron(dir: string, records: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'fake-electron.mjs'), `
    import { mkdirSync, writeFileSync } from 'node:fs';
    const args = process.argv.slice(2);
    const server = args[args.indexOf('--server') + 1];
    const profile = args[args.indexOf('--profile') + 1];
    const res = await fetch(server + '/v1/sync', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + process.env.FIELDSYNC_TOKEN },
      body: JSON.stringify({ clientId: 'fake' + profile.replace(/[^A-Za-z0-9]/g, ''), cursor: 0, messages: [] }),
    });
    mkdirSync(${JSON.stringify(records)}, { recursive: true });
    writeFileSync(${JSON.stringify(records)} + '/' + profile + '.json', JSON.stringify({ args, status: res.status }));
    if (process.env.FAKE_STAY) setInterval(() => {}, 1000);
  `);
  const fake = join(dir, 'electron');
  writeFileSync(fake, `#!/bin/sh\nif [ "$ELECTRON_RUN_AS_NODE" = 1 ]; then exec "${process.execPath}" "$@"; fi\nexec "${process.execPath}" "${join(dir, 'fake-electron.mjs')}" "$@"\n`);
  chmodSync(fake, 0o755);
  return fake;
}

/**
 * A stand-in for the `electron` npm package. Its installer, like Electron's, extracts into
 * dist/ and writes path.txt: `ok` a working binary, `fail` nothing (exit 1, as without network),
 * `partial` a truncated binary (exit 0, as after an interrupted extraction).
 */
function fakeElectronPackage(dir: string, installer: 'ok' | 'fail' | 'partial'): { pkg: string; records: string } {
  const pkg = join(dir, 'electron');
  const records = join(dir, 'records');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), '{"name":"electron","version":"45.0.0"}');
  const good = writeFakeElectron(join(dir, 'good'), records);
  writeFileSync(join(pkg, 'install.js'), `
    const fs = require('node:fs');
    const path = require('node:path');
    fs.writeFileSync(path.join(__dirname, 'installer-ran'), process.env.ELECTRON_SKIP_BINARY_DOWNLOAD ?? 'unset');
    console.error('Downloading electron-v45.0.0-linux-x64.zip: 100%');
    if (${JSON.stringify(installer)} === 'fail') { console.error('TypeError: fetch failed'); process.exit(1); }
    fs.mkdirSync(path.join(__dirname, 'dist'), { recursive: true });
    const bin = path.join(__dirname, 'dist', 'electron');
    if (${JSON.stringify(installer)} === 'ok') fs.copyFileSync(${JSON.stringify(good)}, bin);
    else fs.writeFileSync(bin, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]));
    fs.chmodSync(bin, 0o755);
    fs.writeFileSync(path.join(__dirname, 'path.txt'), 'electron');
  `.replace(/^\s+/gm, ''));
  return { pkg, records };
}

const readRecords = (records: string) =>
  readdirSync(records).sort().map((f) => JSON.parse(readFileSync(join(records, f), 'utf8')) as { args: string[]; status: number });

describe.skipIf(!posix)('npm start with Electron', () => {
  it('fetches a missing binary with Electron’s installer, then starts a server, signs a token and launches N tiled instances', async () => {
    const dir = tempDir();
    try {
      const { pkg, records } = fakeElectronPackage(dir.path, 'ok');
      const port = await freePort();
      const r = await run(['--no-build', '--instances', '2', '--server', `http://127.0.0.1:${port}`], {
        FIELDSYNC_ELECTRON_DIR: pkg,
        FIELDSYNC_DATA_DIR: join(dir.path, 'server-data'),
        ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('fetching it with Electron\'s installer');
      expect(r.stderr).toContain('Downloading electron'); // the installer's own progress, shown
      expect(readFileSync(join(pkg, 'installer-ran'), 'utf8')).toBe('unset'); // the skip flag is for npm install only
      expect(r.stdout).toContain(`starting the sync server on http://127.0.0.1:${port}`);
      expect(r.stdout).toContain('opening 2 instances for user "demo"');
      expect(readRecords(records)).toEqual([
        { args: [root, '--profile', 'demo-1', '--server', `http://127.0.0.1:${port}`, '--tile', '1/2'], status: 200 },
        { args: [root, '--profile', 'demo-2', '--server', `http://127.0.0.1:${port}`, '--tile', '2/2'], status: 200 },
      ]);

      // The second time, the binary is there: nothing is fetched.
      const again = await run(['--no-build', '--instances', '1', '--server', `http://127.0.0.1:${port}`], { FIELDSYNC_ELECTRON_DIR: pkg, FIELDSYNC_DATA_DIR: join(dir.path, 'server-data') });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).not.toContain('installer');
    } finally {
      dir.remove();
    }
  });

  it('Ctrl-C stops the instances and the server it started', async () => {
    const dir = tempDir();
    try {
      const { pkg, records } = fakeElectronPackage(dir.path, 'ok');
      const port = await freePort();
      const child = start(['--no-build', '--instances', '3', '--server', `http://127.0.0.1:${port}`], { FIELDSYNC_ELECTRON_DIR: pkg, FIELDSYNC_DATA_DIR: join(dir.path, 'server-data'), FAKE_STAY: '1' });
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      await expect.poll(() => (existsSync(records) ? readRecords(records).length : 0), { timeout: 30_000 }).toBe(3);
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    } finally {
      dir.remove();
    }
  });

  it('a binary that does not start is removed and fetched again', async () => {
    const dir = tempDir();
    try {
      const { pkg, records } = fakeElectronPackage(dir.path, 'ok');
      mkdirSync(join(pkg, 'dist'));
      writeFileSync(join(pkg, 'dist', 'electron'), 'half a file');
      chmodSync(join(pkg, 'dist', 'electron'), 0o755);
      writeFileSync(join(pkg, 'path.txt'), 'electron');
      const port = await freePort();
      const r = await run(['--no-build', '--instances', '1', '--server', `http://127.0.0.1:${port}`], { FIELDSYNC_ELECTRON_DIR: pkg, FIELDSYNC_DATA_DIR: join(dir.path, 'server-data') });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/does not start .*Removing it to fetch it again/);
      expect(readRecords(records)).toHaveLength(1);
    } finally {
      dir.remove();
    }
  });
});

describe.skipIf(!posix)('npm start where Electron cannot be fetched: the same demo in the browser', () => {
  async function fallback(installer: 'ok' | 'fail' | 'partial', expectedReason: RegExp, env: Record<string, string> = {}): Promise<void> {
    const dir = tempDir();
    const { pkg, records } = fakeElectronPackage(dir.path, installer);
    // A stand-in for the build: this test must not rebuild out/ under the feet of others.
    mkdirSync(join(dir.path, 'renderer'));
    writeFileSync(join(dir.path, 'renderer', 'index.html'), '<!doctype html><html><head><title>app</title></head><body></body></html>');
    const port = await freePort();
    const server = `http://127.0.0.1:${port}`;
    const child = start(['--no-build', '--instances', '3', '--server', server], {
      FIELDSYNC_ELECTRON_DIR: pkg,
      FIELDSYNC_DATA_DIR: join(dir.path, 'server'),
      FIELDSYNC_WEB_DIR: join(dir.path, 'web'),
      FIELDSYNC_RENDERER_DIR: join(dir.path, 'renderer'),
      ...env,
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const isUrl = (l: string): boolean => /^http:\/\/127\.0\.0\.1:\d+\//.test(l);
      const { lines, stdout } = await printedLines(child, 'npm start', (printed) => printed.filter(isUrl).length >= 4);
      const urls = lines.filter(isUrl);
      // One line says why Electron was not used, then the URLs.
      const why = stdout.split('\n').filter((l) => l.includes('not using Electron'));
      expect(why).toHaveLength(1);
      expect(why[0]).toMatch(expectedReason);
      expect(why[0]).toContain('runs in your browser');
      expect(urls).toHaveLength(4); // the one-screen viewer, then each instance
      for (const url of urls) expect((await fetch(url)).status).toBeLessThan(500);
      expect(existsSync(records)).toBe(false); // no Electron window was opened
      // Without a display, nothing is fetched that could not be used.
      expect(existsSync(join(pkg, 'installer-ran'))).toBe(env.DISPLAY !== '');
      expect(await (await fetch(`${server}/healthz`)).json()).toMatchObject({ ok: true });

      child.kill('SIGINT');
      expect(await exited).toBe(0);
      for (const url of [...urls, server]) await expect(fetch(url)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      dir.remove();
    }
  }

  it('the installer fails (no network): the reason, then the browser demo; Ctrl-C stops it all', async () => {
    await fallback('fail', /Electron's installer failed \(exit code 1\)/);
  }, 90_000);

  it('the installer leaves a binary that does not start: the reason, then the browser demo', async () => {
    await fallback('partial', /installer finished, but .*does not start/);
  }, 90_000);

  it('Electron is there but the machine has no display (SSH, a container): the reason, then the browser demo', async () => {
    await fallback('ok', /no display for its windows \(neither DISPLAY nor WAYLAND_DISPLAY is set\)/, { DISPLAY: '', WAYLAND_DISPLAY: '' });
  }, 90_000);
});
