/**
 * `npm run start:web` as a user runs it: it starts a server and N browser hosts, prints their
 * one-time sign-in URLs one per line, each signs one browser in to the app and its own API
 * for its own profile, and SIGINT (Ctrl-C) stops everything it started.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freePort } from '../../test-support/free-port.ts';
import { tempDir } from '../../test-support/temp-dir.ts';
import type { AppInfo, Envelope } from '../../src/shared/app-api.ts';

const root = join(import.meta.dirname, '..', '..');

/** Signs in with a one-time link as a browser would, then calls `info` over the page's WebSocket. */
async function callInfo(loginUrl: string): Promise<AppInfo> {
  const signIn = await fetch(loginUrl, { redirect: 'manual' });
  expect(signIn.status).toBe(303);
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] as string;
  expect((await fetch(loginUrl, { redirect: 'manual' })).status).toBe(403); // used up
  const pageUrl = new URL('/', loginUrl).href;
  expect((await fetch(pageUrl)).status).toBe(403); // no cookie, no page
  const html = await (await fetch(pageUrl, { headers: { cookie } })).text();
  const api = /<meta name="fieldsync-host" content="([^"]+)"/.exec(html)?.[1];
  expect(api).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/api$/);
  const ws = new WebSocket(api as string, { origin: new URL(pageUrl).origin, headers: { cookie } });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const answer = new Promise<Envelope>((resolve) => ws.on('message', (d) => resolve((JSON.parse(String(d)) as { envelope: Envelope }).envelope)));
  ws.send(JSON.stringify({ id: 1, method: 'info', args: [] }));
  const envelope = await answer;
  ws.close();
  if (!envelope.ok) throw new Error(envelope.error.message);
  return envelope.value as AppInfo;
}

const isClosed = (url: string): Promise<boolean> => fetch(url).then(() => false, () => true);

describe('npm run start:web', () => {
  it('starts a server and N instances, prints their URLs, and stops them all on Ctrl-C', async () => {
    const dir = tempDir('fieldsync-start-web-');
    // A stand-in for the build: this test must not rebuild out/ under the feet of others.
    mkdirSync(join(dir.path, 'renderer'));
    writeFileSync(join(dir.path, 'renderer', 'index.html'), '<!doctype html><html><head><title>app</title></head><body></body></html>');
    const port = await freePort();
    const server = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [join(root, 'scripts', 'start-web.ts'), '--instances', '2', '--server', server, '--user', 'tester', '--no-build'], {
      cwd: root,
      env: { ...process.env, FIELDSYNC_DATA_DIR: join(dir.path, 'server'), FIELDSYNC_WEB_DIR: join(dir.path, 'web'), FIELDSYNC_RENDERER_DIR: join(dir.path, 'renderer'), FIELDSYNC_SECRET: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const urls = await new Promise<string[]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URLs:\n${stdout}\n${stderr}`)), 60_000);
        child.stdout.on('data', (d) => {
          stdout += d;
          const lines = stdout.split('\n').filter(Boolean);
          if (lines.length >= 2) {
            clearTimeout(timer);
            resolve(lines);
          }
        });
        void exited.then((code) => reject(new Error(`start:web exited (${code}):\n${stdout}\n${stderr}`)));
      });
      expect(urls).toHaveLength(2);
      for (const url of urls) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login\?code=[\w-]{43}$/);
      expect(await (await fetch(`${server}/healthz`)).json()).toMatchObject({ ok: true });

      const infos = await Promise.all(urls.map(callInfo));
      expect(infos.map((i) => [i.profile, i.serverUrl])).toEqual([
        ['web-1', server],
        ['web-2', server],
      ]);
      expect(infos[0]?.clientId).not.toBe(infos[1]?.clientId);

      child.kill('SIGINT');
      expect(await exited).toBe(0);
      for (const url of [...urls.map((u) => new URL('/', u).href), server]) expect(await isClosed(url)).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      dir.remove();
    }
  }, 90_000);
});
