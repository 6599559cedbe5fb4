/** The host over real sockets, with a fake app core: HTTP, the WebSocket API, and who may use them. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AppEvent, Envelope } from '../../shared/app-api.ts';
import { WS_MAX_FRAME_BYTES } from '../../shared/ws-protocol.ts';
import { newInstanceKey } from '../host-security.ts';
import { startWebHost, WebHostError, type WebHost } from '../web-host.ts';
import { WS_API_MESSAGES, type HostedCore } from '../ws-api.ts';

/** Answers like the real dispatcher: unknown methods and bad arguments are `invalid_argument`. */
class FakeCore implements HostedCore {
  readonly calls: { method: unknown; args: unknown }[] = [];
  readonly listeners = new Set<(e: AppEvent) => void>();
  slow: Promise<void> | null = null;
  async dispatch(method: unknown, args: unknown): Promise<Envelope> {
    this.calls.push({ method, args });
    if (this.slow) await this.slow;
    if (method === 'rows' && Array.isArray(args) && args[0] === 'lists') return { ok: true, value: [{ id: 'l1' }] };
    return { ok: false, error: { code: 'invalid_argument', message: `bad call: ${String(method)}` } };
  }
  onEvent(listener: (e: AppEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
  emit(event: AppEvent): void {
    for (const l of this.listeners) l(event);
  }
}

let dir: string;
let core: FakeCore;
let host: WebHost;
let key: string;
let logs: string[];
/** The instance's cookie (`name=value`), from signing in with a one-time link. */
let cookie: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fieldsync-web-host-'));
  const build = join(dir, 'renderer');
  mkdirSync(join(build, 'assets'), { recursive: true });
  writeFileSync(join(build, 'index.html'), '<!doctype html><html><head><meta charset="UTF-8" /></head><body></body></html>');
  writeFileSync(join(build, 'assets', 'app.js'), 'console.log(1);');
  writeFileSync(join(build, 'assets', 'app.css'), 'body{}');
  writeFileSync(join(build, '.secret'), 'no');
  writeFileSync(join(dir, 'outside.txt'), 'outside');
  symlinkSync(join(dir, 'outside.txt'), join(build, 'assets', 'link.txt'));
  core = new FakeCore();
  key = newInstanceKey();
  logs = [];
  host = await startWebHost({ core, rendererDir: build, key, limits: { callsPerSecond: 1, burst: 20 }, log: (m) => logs.push(m) });
  cookie = await signIn(host.loginUrl());
});

/** Opens a sign-in link as a browser would; returns the cookie it set. */
async function signIn(loginUrl: string): Promise<string> {
  const res = await get(new URL(loginUrl).pathname + new URL(loginUrl).search, { cookie: null });
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/');
  const set = String(res.headers['set-cookie']);
  expect(set).toMatch(/^fieldsync-[\w-]{16}=[\w-]+; Path=\/; HttpOnly; SameSite=Strict$/);
  return set.split(';')[0] as string;
}

afterEach(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request, so the path and Host header go out exactly as written; signed in unless `cookie: null`. */
function get(path: string, options: { host?: string; method?: string; cookie?: string | null } = {}): Promise<Res> {
  const headers: Record<string, string> = { Host: options.host ?? `127.0.0.1:${host.port}` };
  const c = options.cookie === undefined ? cookie : options.cookie;
  if (c) headers.Cookie = c;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: host.port, path, method: options.method ?? 'GET', headers, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const origin = (): string => `http://127.0.0.1:${host.port}`;

interface Opened {
  ws: WebSocket;
  frames: unknown[];
  next(): Promise<unknown>;
  closed: Promise<number>;
}

/** Connects like a signed-in page would; rejects with the HTTP status when the upgrade is refused. */
function connect(options: { cookie?: string | null; origin?: string | null; path?: string; host?: string; port?: number } = {}): Promise<Opened> {
  const path = options.path ?? '/api';
  const headers: Record<string, string> = {};
  if (options.host) headers.Host = options.host;
  const c = options.cookie === undefined ? cookie : options.cookie;
  if (c) headers.Cookie = c;
  const ws = new WebSocket(`ws://127.0.0.1:${options.port ?? host.port}${path}`, {
    headers,
    ...(options.origin === null ? {} : { origin: options.origin ?? origin() }),
  });
  const frames: unknown[] = [];
  const waiters: ((f: unknown) => void)[] = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as unknown;
    const w = waiters.shift();
    if (w) w(frame);
    else frames.push(frame);
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.on('open', () =>
      resolve({
        ws,
        frames,
        closed,
        next: () => (frames.length > 0 ? Promise.resolve(frames.shift()) : new Promise((r) => waiters.push(r))),
      }),
    );
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

describe('the browser host over HTTP', () => {
  it('serves index.html with the page config and the security headers', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain(`<meta name="fieldsync-host" content="ws://127.0.0.1:${host.port}/api" />`);
    expect(res.body).not.toContain(key);
    expect(res.body).not.toContain(cookie.split('=')[1]);
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['content-security-policy']).toContain(`ws://127.0.0.1:${host.port}`);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/`);
  });

  it('serves assets with their MIME types', async () => {
    const js = await get('/assets/app.js');
    expect([js.status, js.headers['content-type'], js.body]).toEqual([200, 'text/javascript; charset=utf-8', 'console.log(1);']);
    expect((await get('/assets/app.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const head = await get('/assets/app.js', { method: 'HEAD' });
    expect([head.status, head.body, head.headers['content-length']]).toEqual([200, '', '15']);
  });

  it.each(['/../outside.txt', '/%2e%2e/outside.txt', '/assets/..%2f..%2foutside.txt', '/assets/link.txt', '/.secret', '/assets', '/nope.js'])(
    'answers 404 to %s',
    async (path) => {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(res.body).not.toContain('outside');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    },
  );

  it('answers 405 to anything but GET and HEAD', async () => {
    const res = await get('/', { method: 'POST' });
    expect([res.status, res.headers.allow]).toEqual([405, 'GET, HEAD']);
  });

  it('serves nothing under another host name (DNS rebinding), not even index.html', async () => {
    for (const name of [`evil.example:${host.port}`, `localhost:${host.port}`]) {
      const res = await get('/', { host: name });
      expect(res.status).toBe(421);
      expect(res.body).toContain(`http://127.0.0.1:${host.port}/`);
    }
  });

  it('refuses to start without a build, or on a port in use', async () => {
    await expect(startWebHost({ core, rendererDir: join(dir, 'missing'), key })).rejects.toThrow(/npm run build/);
    await expect(startWebHost({ core, rendererDir: join(dir, 'renderer'), key, port: host.port })).rejects.toBeInstanceOf(WebHostError);
    await expect(startWebHost({ core, rendererDir: join(dir, 'renderer'), key: 'short' })).rejects.toThrow(/key/);
  });
});

describe('the browser host WebSocket API', () => {
  it('dispatches { id, method, args } to the core and answers { id, envelope }', async () => {
    const page = await connect();
    page.ws.send(JSON.stringify({ id: 7, method: 'rows', args: ['lists', {}] }));
    expect(await page.next()).toEqual({ id: 7, envelope: { ok: true, value: [{ id: 'l1' }] } });
    expect(core.calls).toEqual([{ method: 'rows', args: ['lists', {}] }]);
    page.ws.close();
  });

  it('hands method and args to the dispatcher unjudged, as IPC does: it answers invalid_argument', async () => {
    const page = await connect();
    page.ws.send(JSON.stringify({ id: 1, method: '__proto__', args: 'nope' }));
    page.ws.send(JSON.stringify({ id: 2 }));
    expect(await page.next()).toEqual({ id: 1, envelope: { ok: false, error: { code: 'invalid_argument', message: 'bad call: __proto__' } } });
    expect(await page.next()).toMatchObject({ id: 2, envelope: { ok: false, error: { code: 'invalid_argument' } } });
    expect(core.calls).toEqual([
      { method: '__proto__', args: 'nope' },
      { method: undefined, args: undefined },
    ]);
    page.ws.close();
  });

  it('pushes app events to every connected page', async () => {
    const a = await connect();
    const b = await connect();
    expect(host.connections).toBe(2);
    const event: AppEvent = { type: 'data', source: 'remote', tables: ['todos'] };
    core.emit(event);
    expect(await a.next()).toEqual({ event });
    expect(await b.next()).toEqual({ event });
    a.ws.close();
    b.ws.close();
  });

  it.each([
    ['no Origin', { origin: null }],
    ['another instance’s origin', { origin: 'http://127.0.0.1:1' }],
    ['another site', { origin: 'https://evil.example' }],
    ['localhost instead of 127.0.0.1', { origin: 'http://localhost' }],
    ['no cookie', { cookie: null }],
    ['no cookie but the instance key in the URL', { cookie: null, path: '' }],
    ['a forged cookie', { cookie: `${'x'}` }],
    ['a rebound host name', { host: 'evil.example' }],
    ['another path', { path: '/other' }],
  ] as const)('refuses a page with %s', async (_name, options) => {
    const o = { ...options } as Parameters<typeof connect>[0] & { path?: string };
    if (o.path === '') o.path = `/api?key=${key}`;
    if (o.cookie === 'x') o.cookie = `${cookie.split('=')[0] as string}=${newInstanceKey()}`;
    await expect(connect(o)).rejects.toThrow(/HTTP (403|404|421)/);
    expect(core.calls).toEqual([]);
  });

  it('disconnects a page that sends malformed or binary frames', async () => {
    for (const bad of ['not json', '[1,2]', '{"id":-1,"method":"lists","args":[]}', '{"id":"1"}', 'null']) {
      const page = await connect();
      page.ws.send(bad);
      expect(await page.closed).toBe(1008);
    }
    const page = await connect();
    page.ws.send(Buffer.from('{"id":1,"method":"lists","args":[]}'), { binary: true });
    expect(await page.closed).toBe(1003);
    expect(core.calls).toEqual([]);
  });

  it('disconnects a page that sends a frame over the size limit', async () => {
    const page = await connect();
    page.ws.send(JSON.stringify({ id: 1, method: 'create', args: ['lists', { name: 'x'.repeat(WS_MAX_FRAME_BYTES) }] }));
    expect(await page.closed).toBe(1009);
    expect(core.calls).toEqual([]);
  });

  it('answers calls beyond the rate limit with an error, without dispatching them', async () => {
    const page = await connect();
    for (let id = 1; id <= 25; id++) page.ws.send(JSON.stringify({ id, method: 'rows', args: ['lists', {}] }));
    const answers: { id: number; envelope: Envelope }[] = [];
    for (let i = 0; i < 25; i++) answers.push((await page.next()) as { id: number; envelope: Envelope });
    const limited = answers.filter((a) => !a.envelope.ok);
    expect(limited.length).toBeGreaterThanOrEqual(4);
    expect(limited[0]?.envelope).toEqual({ ok: false, error: { code: 'internal', message: WS_API_MESSAGES.rateLimited } });
    expect(core.calls.length).toBe(25 - limited.length);
    page.ws.close();
  });

  it('close() disconnects the pages and frees the port', async () => {
    const page = await connect();
    await host.close();
    expect(await page.closed).toBe(1001);
    await expect(get('/')).rejects.toThrow();
  });
});

describe('signing in to the browser host', () => {
  it('serves nothing without the cookie: not the page, not an asset, not the API', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js', '/nope.js', `/?key=${key}`, '/login']) {
      const res = await get(path, { cookie: null });
      expect(res.status, path).toBe(403);
      expect(res.body).toContain('sign-in link');
      expect(res.body).not.toContain(key);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    await expect(connect({ cookie: null })).rejects.toThrow(/HTTP 403/);
    expect(core.calls).toEqual([]);
  });

  it('takes a sign-in link once, and says so when it is used again or made up', async () => {
    const link = new URL(host.loginUrl());
    expect(link.pathname).toBe('/login');
    const first = await get(link.pathname + link.search, { cookie: null });
    expect([first.status, first.headers.location]).toEqual([303, '/']);
    const again = await get(link.pathname + link.search, { cookie: null });
    expect([again.status, again.headers['set-cookie']]).toEqual([403, undefined]);
    for (const made of ['/login?code=', `/login?code=${newInstanceKey()}`, `/login?code=${key}`]) {
      expect((await get(made, { cookie: null })).status).toBe(403);
    }
    expect((await get(link.pathname + link.search, { method: 'POST', cookie: null })).status).toBe(405);
  });

  it('sends a browser already signed in to the app when it opens a used or made-up link again', async () => {
    const link = new URL(host.loginUrl());
    const signedIn = await signIn(link.href);
    for (const path of [link.pathname + link.search, '/login?code=', `/login?code=${newInstanceKey()}`]) {
      const res = await get(path, { cookie: signedIn });
      expect([res.status, res.headers.location, res.headers['set-cookie']], path).toEqual([303, '/', undefined]);
    }
    // Another browser's cookie of the same name, wrong value: no way in.
    const forged = `${signedIn.split('=')[0] as string}=${newInstanceKey()}`;
    expect((await get(link.pathname + link.search, { cookie: forged })).status).toBe(403);
  });

  it('gives, in its log, a new link for another browser each time one is used', async () => {
    const line = logs.find((l) => l.startsWith('a browser signed in; to open this instance in another browser, use '));
    const next = /use (\S+)$/.exec(line ?? '')?.[1] as string;
    expect(await signIn(next)).toBe(cookie);
  });

  it('a restarted host with the same key accepts the pages it served; one with another key does not', async () => {
    const build = join(dir, 'renderer');
    const port = host.port;
    await host.close();
    host = await startWebHost({ core, rendererDir: build, key, port });
    expect((await get('/')).status).toBe(200);
    const page = await connect();
    page.ws.send(JSON.stringify({ id: 1, method: 'rows', args: ['lists', {}] }));
    expect(await page.next()).toMatchObject({ id: 1, envelope: { ok: true } });
    page.ws.close();
    await host.close();
    host = await startWebHost({ core, rendererDir: build, key: newInstanceKey(), port });
    expect((await get('/')).status).toBe(403);
    await expect(connect()).rejects.toThrow(/HTTP 403/);
  });

  it('logs refused upgrades at most 10 times a minute, then counts them', async () => {
    for (let i = 0; i < 30; i++) await expect(connect({ cookie: null })).rejects.toThrow(/HTTP 403/);
    const refusals = logs.filter((l) => l.startsWith('refused a WebSocket'));
    expect(refusals).toHaveLength(10);
    await host.close();
    expect(logs).toContain('… and 20 more refused WebSocket upgrades in the last 60 s');
  });
});

