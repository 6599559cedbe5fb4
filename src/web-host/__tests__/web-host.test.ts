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
  host = await startWebHost({ core, rendererDir: build, key, limits: { callsPerSecond: 1, burst: 20 } });
});

afterEach(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request, so the path and Host header go out exactly as written. */
function get(path: string, options: { host?: string; method?: string } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: host.port, path, method: options.method ?? 'GET', headers: { Host: options.host ?? `127.0.0.1:${host.port}` } },
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

/** Connects like a page would; rejects with the HTTP status when the upgrade is refused. */
function connect(options: { key?: string; origin?: string | null; path?: string; host?: string } = {}): Promise<Opened> {
  const path = options.path ?? `/api?key=${encodeURIComponent(options.key ?? key)}`;
  const headers: Record<string, string> = {};
  if (options.host) headers.Host = options.host;
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}${path}`, {
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
    expect(res.body).toContain(`<meta name="fieldsync-host" content="ws://127.0.0.1:${host.port}/api?key=${key}" />`);
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

  it('serves nothing under another host name (DNS rebinding), not even index.html and its key', async () => {
    for (const name of [`evil.example:${host.port}`, `localhost:${host.port}`]) {
      const res = await get('/', { host: name });
      expect(res.status).toBe(421);
      expect(res.body).not.toContain(key);
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
    ['no key', { path: '/api' }],
    ['a wrong key', { key: newInstanceKey() }],
    ['a rebound host name', { host: 'evil.example' }],
    ['another path', { path: `/other?key=${'x'}` }],
  ] as const)('refuses a page with %s', async (_name, options) => {
    await expect(connect(options)).rejects.toThrow(/HTTP (403|404|421)/);
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
