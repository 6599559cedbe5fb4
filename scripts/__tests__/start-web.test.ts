/**
 * `npm run start:web` as a user runs it: it starts a server, the one-screen viewer and N
 * browser hosts, prints the viewer's one-time sign-in URL and then the instances', one per
 * line; each signs one browser in to the app and its own API for its own profile (named after
 * the user, as npm start's); the viewer
 * frames every instance with fresh one-time links and holds no secret in its page; Enter in
 * its terminal prints a fresh set; SIGINT (Ctrl-C) stops everything it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { productNameInHtml } from '../../test-support/app-name.ts';
import { freePort } from '../../test-support/free-port.ts';
import { printedLines } from '../../test-support/printed-lines.ts';
import { tempDir } from '../../test-support/temp-dir.ts';
import type { AppInfo, Envelope } from '../../src/shared/app-api.ts';
import { spawnServer } from '../../test-support/child-server.ts';
import { codeOf, openPage } from '../../src/web-host/testing/ws-client.ts';

const root = join(import.meta.dirname, '..', '..');
/** The app's name in the viewer's frame titles, as a pattern: a fork's own once renamed. */
const NAME = productNameInHtml.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Signs in with a one-time link as a browser's page would (over the WebSocket), then calls `info`. */
async function callInfo(loginUrl: string): Promise<AppInfo> {
  const shell = await fetch(loginUrl, { redirect: 'manual' });
  expect(shell.status).toBe(200); // the app shell: no secret in it, no cookie set
  expect(shell.headers.get('set-cookie')).toBeNull();
  const api = /<meta name="fieldsync-host" content="([^"]+)"/.exec(await shell.text())?.[1];
  expect(api).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/api$/);
  const port = Number(new URL(loginUrl).port);
  const page = await openPage({ port, code: codeOf(loginUrl) });
  await expect(openPage({ port, code: codeOf(loginUrl) })).rejects.toThrow('handshake: code-refused'); // used up
  const envelope = (await page.call('info', [])) as Envelope;
  page.ws.close();
  if (!envelope.ok) throw new Error(envelope.error.message);
  return envelope.value as AppInfo;
}

const isClosed = (url: string): Promise<boolean> => fetch(url).then(() => false, () => true);

/** Opens the viewer's link; checks its plain page holds no secret; returns each frame's sign-in link. */
async function viewerFrames(loginUrl: string, count: number): Promise<string[]> {
  const viewer = new URL(loginUrl).origin;
  const plain = await fetch(`${viewer}/`);
  const plainHtml = await plain.text();
  expect(plainHtml).not.toMatch(/code=|key/i); // no sign-in links, no keys
  expect([...plainHtml.matchAll(new RegExp(`<iframe src="(http://127\\.0\\.0\\.1:\\d+/)" title="${NAME} instance (tester-\\d)"`, 'g'))].map((m) => m[2])).toEqual(
    Array.from({ length: count }, (_, i) => `tester-${i + 1}`),
  );
  expect((await fetch(`${viewer}/frame/1`, { redirect: 'manual' })).status).toBe(404); // nothing mints links
  const page = await fetch(loginUrl, { redirect: 'manual' });
  expect(page.status).toBe(200);
  expect(page.headers.get('set-cookie')).toBeNull();
  expect(page.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
  expect((await fetch(loginUrl, { redirect: 'manual' })).status).toBe(403); // used up
  const frames = [...(await page.text()).matchAll(new RegExp(`<iframe data-sign-in="([^"]+)" title="${NAME} instance (tester-\\d)"`, 'g'))];
  expect(frames.map((m) => m[2])).toEqual(Array.from({ length: count }, (_, i) => `tester-${i + 1}`));
  // Each instance lets exactly the viewer frame it.
  for (const [, link] of frames) {
    const shell = await fetch(new URL('/', link));
    expect(shell.headers.get('content-security-policy')).toContain(`frame-ancestors ${viewer}`);
    expect(shell.headers.get('x-frame-options')).toBeNull();
  }
  return frames.map((m) => (m[1] as string).replace(/&amp;/g, '&'));
}

interface Launched {
  readonly child: ChildProcess;
  /** The viewer's sign-in URL, then each instance's. */
  readonly urls: string[];
  readonly exited: Promise<number | null>;
  readonly server: string;
}

/** `start:web` with 2 instances and a server of its own in `dir`, once it has printed its URLs. */
async function launch(dir: string): Promise<Launched> {
  // A stand-in for the build: this test must not rebuild out/ under the feet of others.
  mkdirSync(join(dir, 'renderer'));
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><html><head><title>app</title></head><body></body></html>');
  const server = `http://127.0.0.1:${await freePort()}`;
  const child = spawn(process.execPath, [join(root, 'scripts', 'start-web.ts'), '--instances', '2', '--server', server, '--user', 'tester', '--no-build', '--no-open'], {
    cwd: root,
    env: { ...process.env, FIELDSYNC_DATA_DIR: join(dir, 'server'), FIELDSYNC_WEB_DIR: join(dir, 'web'), FIELDSYNC_RENDERER_DIR: join(dir, 'renderer'), FIELDSYNC_SECRET: '' },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    const { lines: urls } = await printedLines(child, 'start:web', (lines) => lines.length >= 3);
    return { child, urls, exited, server };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}

/** Every address `start:web` serves: the viewer's, the instances', and the server's. */
const addresses = ({ urls, server }: Launched): string[] => [...urls.map((u) => new URL('/', u).href), server];

describe('npm run start:web', () => {
  it('starts a server and N instances, prints their URLs, and stops them all on Ctrl-C', async () => {
    const dir = tempDir('fieldsync-start-web-');
    let launched: Launched | undefined;
    try {
      launched = await launch(dir.path);
      const { child, urls, exited, server } = launched;
      expect(urls).toHaveLength(3);
      for (const url of urls) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login\?code=[\w-]{43}$/);
      expect(await (await fetch(`${server}/healthz`)).json()).toMatchObject({ ok: true });
      const [viewerUrl, ...instanceUrls] = urls as [string, ...string[]];

      const infos = await Promise.all(instanceUrls.map(callInfo));
      // The user's own profiles, named as npm start's: another user's run never opens them.
      expect(infos.map((i) => [i.profile, i.serverUrl])).toEqual([
        ['tester-1', server],
        ['tester-2', server],
      ]);
      expect(readdirSync(join(dir.path, 'web')).sort()).toEqual(['tester-1', 'tester-2']);
      expect(infos[0]?.clientId).not.toBe(infos[1]?.clientId);
      // The viewer's frames sign in with fresh one-time links of the same instances.
      const framed = await Promise.all((await viewerFrames(viewerUrl, 2)).map(callInfo));
      expect(framed.map((i) => i.clientId)).toEqual(infos.map((i) => i.clientId));

      // Enter in its terminal: a fresh set of links, printed the same way, which work.
      const more = printedLines(child, 'start:web', (lines) => lines.filter((l) => l.startsWith('http://')).length >= 3);
      child.stdin?.write('\n');
      const fresh = (await more).lines.filter((l) => l.startsWith('http://'));
      expect(fresh.map((u) => new URL(u).origin)).toEqual(urls.map((u) => new URL(u).origin));
      for (const url of fresh) expect(urls).not.toContain(url);
      expect((await callInfo(fresh[2] as string)).clientId).toBe(infos[1]?.clientId);
      expect(await viewerFrames(fresh[0] as string, 2)).toHaveLength(2);

      child.kill('SIGINT');
      expect(await exited).toBe(0);
      for (const url of addresses(launched)) expect(await isClosed(url)).toBe(true); // the viewer too
    } finally {
      if (launched?.child.exitCode === null) launched.child.kill('SIGKILL');
      dir.remove();
    }
  }, 90_000);

  it.skipIf(process.platform === 'win32')('on SIGHUP (its terminal closed) it stops them all, as on Ctrl-C', async () => {
    const dir = tempDir('fieldsync-start-web-');
    let launched: Launched | undefined;
    try {
      launched = await launch(dir.path);
      launched.child.kill('SIGHUP');
      expect(await launched.exited).toBe(0);
      for (const url of addresses(launched)) expect(await isClosed(url)).toBe(true);
    } finally {
      if (launched?.child.exitCode === null) launched.child.kill('SIGKILL');
      dir.remove();
    }
  }, 90_000);

  it('if it dies without stopping them (killed, crashed), its server and instances stop by themselves', async () => {
    const dir = tempDir('fieldsync-start-web-');
    try {
      const launched = await launch(dir.path);
      for (const url of addresses(launched)) expect(await isClosed(url)).toBe(false);
      launched.child.kill('SIGKILL'); // no chance to stop anything
      await launched.exited;
      // The viewer lived in start:web itself; the server and the hosts each had their own
      // process group, and notice their launcher is gone by their IPC channel closing.
      const deadline = Date.now() + 20_000;
      let open = addresses(launched);
      while (open.length > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        open = (await Promise.all(open.map(async (u) => ((await isClosed(u)) ? null : u)))).filter((u) => u !== null);
      }
      expect(open).toEqual([]);
    } finally {
      dir.remove();
    }
  }, 90_000);

  /** `start:web` against `server`, which it does not start; resolves with its exit code and stderr. */
  async function refusedRun(server: string, dataDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, [join(root, 'scripts', 'start-web.ts'), '--instances', '1', '--server', server, '--no-build', '--no-open'], {
      cwd: root,
      env: { ...process.env, FIELDSYNC_DATA_DIR: dataDir, FIELDSYNC_WEB_DIR: join(dataDir, 'web'), FIELDSYNC_RENDERER_DIR: join(dataDir, 'renderer'), FIELDSYNC_SECRET: '' },
    });
    // One that went on (the check gone) is stopped as with Ctrl-C, so that it stops what it started.
    const guard = setTimeout(() => child.kill('SIGINT'), 20_000);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(guard);
    return { code, stdout, stderr };
  }

  it('says so, and starts nothing, when the server running does not prove it holds the secret (another secret, an impostor), or another program holds the port', async () => {
    const dir = tempDir('fieldsync-start-web-');
    // A server with a data dir, and so a secret, of its own: not the one start:web finds in its data dir.
    const other = await spawnServer({ FIELDSYNC_DATA_DIR: join(dir.path, 'other-server') });
    const foreign = createServer((_req, res) => res.end('<html>not fieldsync</html>'));
    // Another local user's program, waiting for the demo's token: it says it is healthy.
    const authorizations: (string | undefined)[] = [];
    const impostor = createServer((req, res) => {
      authorizations.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    try {
      const refused = await refusedRun(other.url, join(dir.path, 'data'));
      expect(refused.code).toBe(1);
      const unproven = (url: string): string => `start:web: the server answering at ${url} does not prove that it holds the secret in ${join(dir.path, 'data')} (or FIELDSYNC_SECRET), so the demo's token is not sent to it`;
      expect(refused.stderr).toContain(unproven(other.url));
      expect(refused.stdout).toBe(''); // no sign-in link to an instance that could not sync
      await new Promise<void>((r) => impostor.listen(0, '127.0.0.1', () => r()));
      const impostorUrl = `http://127.0.0.1:${(impostor.address() as { port: number }).port}`;
      const fooled = await refusedRun(impostorUrl, join(dir.path, 'data'));
      expect(fooled.code).toBe(1);
      expect(fooled.stderr).toContain(unproven(impostorUrl));
      expect(authorizations.length).toBeGreaterThan(0);
      expect(authorizations.every((a) => a === undefined)).toBe(true); // never a token
      expect(fooled.stdout).toBe('');
      await new Promise<void>((r) => foreign.listen(0, '127.0.0.1', () => r()));
      const port = (foreign.address() as { port: number }).port;
      const taken = await refusedRun(`http://127.0.0.1:${port}`, join(dir.path, 'data'));
      expect(taken.code).toBe(1);
      expect(taken.stderr).toContain(`start:web: something that is not a Fieldsync server answers at http://127.0.0.1:${port}: stop it, or pass --server with another port`);
      expect(taken.stderr).not.toContain('already in use'); // the server's own line, which start:web's replaces
      expect(taken.stdout).toBe('');
    } finally {
      foreign.close();
      impostor.close();
      other.child.kill('SIGTERM');
      await other.exited;
      dir.remove();
    }
  }, 60_000);
});
