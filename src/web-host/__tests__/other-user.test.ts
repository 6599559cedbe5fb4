/**
 * Issue 11 item 1 as it was found: another user of the machine (uid `nobody`) against a
 * browser host run by this user. It can connect to loopback and forge every header, but
 * gets no page, no key, no API, and cannot read the profile (key file, database) or the
 * host's environment (its sync token). Runs only where the tests run as root, which can
 * start a process as `nobody`; skipped elsewhere, with the reason.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startNodeProcess } from '../../../scripts/processes.ts';
import { tempDir } from '../../../test-support/temp-dir.ts';

const NOBODY = 65534;
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
/** A Node for `nobody`: ours may sit in root's home, which `nobody` cannot enter. */
const SYSTEM_NODE = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => spawnSync(p, ['--version']).status === 0);
const why = !asRoot ? 'needs root, to start a process as nobody' : !SYSTEM_NODE ? 'needs a node binary that nobody can run (/usr/bin/node)' : null;

/** What the other user tries, in plain JavaScript for any Node >= 18. */
const ATTACK = `
const http = require('node:http');
const fs = require('node:fs');
const [url, profile, pid] = process.argv.slice(2);
const u = new URL(url);
const get = (path, headers = {}) => new Promise((resolve) => {
  const req = http.request({ host: u.hostname, port: u.port, path, headers: { Host: u.host, Origin: u.origin, ...headers } }, (res) => {
    let body = '';
    res.on('data', (d) => (body += d));
    res.on('end', () => resolve({ status: res.statusCode, body }));
  });
  req.on('upgrade', (res, socket) => { socket.destroy(); resolve({ status: 101, body: '' }); });
  req.on('error', (e) => resolve({ status: 0, body: e.code }));
  req.end();
});
const read = (file) => { try { fs.readFileSync(file); return 'read'; } catch (e) { return e.code; } };
(async () => {
  const out = { uid: process.getuid() };
  out.page = await get('/');
  out.index = await get('/index.html');
  out.upgrade = await get('/api', { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' });
  out.keyFile = read(profile + '/web-host.key');
  out.database = read(profile + '/fieldsync.db');
  out.environ = read('/proc/' + pid + '/environ');
  process.stdout.write(JSON.stringify(out));
})();
`;

describe('another user of the machine', () => {
  it.skipIf(why !== null)(`gets nothing from a browser host${why ? ` (skipped: ${why})` : ''}`, async () => {
    const dir = tempDir('fieldsync-other-user-');
    // Everything on the way is open to others: only the host's own modes protect it.
    chmodSync(dir.path, 0o755);
    const renderer = join(dir.path, 'renderer');
    mkdirSync(renderer, { mode: 0o755 });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><html><head></head><body></body></html>', { mode: 0o644 });
    const script = join(dir.path, 'attack.cjs');
    writeFileSync(script, ATTACK, { mode: 0o644 });
    const profile = join(dir.path, 'profile');
    const host = await startNodeProcess({
      name: 'web-1',
      args: ['src/web-host/main.ts', '--profile', 'web-1', '--profile-dir', profile, '--renderer-dir', renderer],
      env: { FIELDSYNC_TOKEN: 'a-token-nobody-may-read', FIELDSYNC_SERVER_URL: 'http://127.0.0.1:9' },
    });
    try {
      const r = spawnSync(SYSTEM_NODE as string, [script, host.url, profile, String(host.pid)], { uid: NOBODY, gid: NOBODY, encoding: 'utf8', timeout: 20_000 });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as Record<string, { status: number; body: string } | string | number>;
      expect(out.uid).toBe(NOBODY);
      expect(out.page).toMatchObject({ status: 403 });
      expect(out.index).toMatchObject({ status: 403 });
      expect(JSON.stringify(out)).not.toMatch(/fieldsync-host|key=/);
      expect(out.upgrade).toMatchObject({ status: 403 });
      expect([out.keyFile, out.database, out.environ]).toEqual(['EACCES', 'EACCES', 'EACCES']);
      for (let i = 0; i < 100 && !host.output().includes('refused a WebSocket'); i++) await new Promise((r) => setTimeout(r, 20));
      expect(host.output()).toContain('refused a WebSocket: no session cookie');
    } finally {
      await host.stop();
      dir.remove();
    }
  });
});
