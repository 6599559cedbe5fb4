/**
 * `npm start` end to end, without Electron: with Electron's binary missing it prints one
 * line and exits 1; with a stand-in for the binary (ELECTRON_OVERRIDE_DIST_PATH) it starts a
 * real server, signs a token, and launches N instances with their profiles and tiles, each
 * of which here checks its token against the server and exits; then the script stops.
 */
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../test-support/free-port.ts';
import { tempDir } from '../../test-support/temp-dir.ts';
import { ELECTRON_MISSING } from '../lib/electron-binary.ts';

const root = join(import.meta.dirname, '..', '..');

function run(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'scripts', 'start.ts'), ...args], { cwd: root, env: { ...process.env, ...env } });
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

describe('npm start', () => {
  it('without Electron’s binary: one line with the fix, exit code 1', async () => {
    const dir = tempDir();
    try {
      const r = await run(['--no-build'], { ELECTRON_OVERRIDE_DIST_PATH: dir.path });
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(ELECTRON_MISSING);
      expect(r.stdout.trim()).toBe('');
    } finally {
      dir.remove();
    }
  });
});

/** A stand-in for Electron's binary: records its arguments, checks its token with the server, and stays up while FAKE_STAY is set. */
function fakeElectron(dir: string): { records: string } {
  const records = join(dir, 'records');
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
  writeFileSync(fake, `#!/bin/sh\nexec "${process.execPath}" "${join(dir, 'fake-electron.mjs')}" "$@"\n`);
  chmodSync(fake, 0o755);
  return { records };
}

const readRecords = (records: string) =>
  readdirSync(records).sort().map((f) => JSON.parse(readFileSync(join(records, f), 'utf8')) as { args: string[]; status: number });

describe('npm start with a stand-in for Electron', () => {
  it.skipIf(process.platform === 'win32')('starts a server, signs a token, launches N tiled instances, and stops when they exit', async () => {
    const dir = tempDir();
    try {
      const { records } = fakeElectron(dir.path);
      const port = await freePort();
      const r = await run(['--no-build', '--instances', '2', '--server', `http://127.0.0.1:${port}`], {
        ELECTRON_OVERRIDE_DIST_PATH: dir.path,
        FIELDSYNC_DATA_DIR: join(dir.path, 'server-data'),
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`starting the sync server on http://127.0.0.1:${port}`);
      expect(r.stdout).toContain('opening 2 instances for user "demo"');
      expect(readRecords(records)).toEqual([
        { args: [root, '--profile', 'demo-1', '--server', `http://127.0.0.1:${port}`, '--tile', '1/2'], status: 200 },
        { args: [root, '--profile', 'demo-2', '--server', `http://127.0.0.1:${port}`, '--tile', '2/2'], status: 200 },
      ]);
    } finally {
      dir.remove();
    }
  });

  it.skipIf(process.platform === 'win32')('Ctrl-C stops the instances and the server it started', async () => {
    const dir = tempDir();
    try {
      const { records } = fakeElectron(dir.path);
      const port = await freePort();
      const child = spawn(process.execPath, [join(root, 'scripts', 'start.ts'), '--no-build', '--instances', '3', '--server', `http://127.0.0.1:${port}`], {
        cwd: root,
        env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: dir.path, FIELDSYNC_DATA_DIR: join(dir.path, 'server-data'), FAKE_STAY: '1' },
        stdio: 'ignore',
      });
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      await expect.poll(() => { try { return readRecords(records).length; } catch { return 0; } }, { timeout: 30_000 }).toBe(3);
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    } finally {
      dir.remove();
    }
  });
});
