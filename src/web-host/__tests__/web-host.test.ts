/** The host over real sockets, with a fake app core: HTTP, the WebSocket API, and who may use them. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { AppEvent, Envelope } from '../../shared/app-api.ts';
import { proofMessage, WS_CLOSE_REFUSED, WS_MAX_FRAME_BYTES } from '../../shared/ws-protocol.ts';
import { CODE_TTL_MS, handshakeProof, randomToken } from '../host-session.ts';
import { startWebHost, WebHostError, type WebHost } from '../web-host.ts';
import { WS_API_MESSAGES, type HostedCore } from '../ws-api.ts';
import { codeOf, openPage } from '../testing/ws-client.ts';

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
let logs: string[];
let build: string;
/** The clock of codes and sessions. */
let now: number;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fieldsync-web-host-'));
  build = join(dir, 'renderer');
  mkdirSync(join(build, 'assets'), { recursive: true });
  writeFileSync(join(build, 'index.html'), '<!doctype html><html><head><meta charset="UTF-8" /></head><body></body></html>');
  writeFileSync(join(build, 'assets', 'app.js'), 'console.log(1);');
  writeFileSync(join(build, 'assets', 'app.css'), 'body{}');
  writeFileSync(join(build, '.secret'), 'no');
  writeFileSync(join(dir, 'outside.txt'), 'outside');
  symlinkSync(join(dir, 'outside.txt'), join(build, 'assets', 'link.txt'));
  core = new FakeCore();
  logs = [];
  now = 1_000_000;
  host = await startWebHost({ core, rendererDir: build, now: () => now, limits: { callsPerSecond: 1, burst: 20 }, log: (m) => logs.push(m) });
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
function get(path: string, options: { host?: string; method?: string; cookie?: string } = {}): Promise<Res> {
  const headers: Record<string, string> = { Host: options.host ?? `127.0.0.1:${host.port}` };
  if (options.cookie) headers.Cookie = options.cookie;
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

interface Raw {
  ws: WebSocket;
  frames: unknown[];
  closed: Promise<number>;
}

/** A raw socket that does no handshake (an attacker's); rejects with the HTTP status when the upgrade is refused. */
function raw(options: { origin?: string | null; path?: string; host?: string; headers?: Record<string, string> } = {}): Promise<Raw> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.host) headers.Host = options.host;
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}${options.path ?? '/api'}`, { headers, ...(options.origin === null ? {} : { origin: options.origin ?? origin() }) });
  const frames: unknown[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(String(data))));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve({ ws, frames, closed }));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

/** A page signed in with a fresh one-time link of the host. */
const connect = () => openPage({ port: host.port, code: codeOf(host.loginUrl()) });

const nextFrame = (r: Raw): Promise<unknown> => vi.waitFor(() => {
  if (r.frames.length === 0) throw new Error('no frame yet');
  return r.frames.shift();
});

describe('the browser host over HTTP', () => {
  it('serves index.html with the page config and the security headers', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain(`<meta name="fieldsync-host" content="ws://127.0.0.1:${host.port}/api" />`);
    expect(res.headers['set-cookie']).toBeUndefined();
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
    await expect(startWebHost({ core, rendererDir: join(dir, 'missing') })).rejects.toThrow(/npm run build/);
    await expect(startWebHost({ core, rendererDir: join(dir, 'renderer'), port: host.port })).rejects.toBeInstanceOf(WebHostError);
    // A preferred port is only a preference: taken, another; an explicit port comes first.
    const other = await startWebHost({ core, rendererDir: join(dir, 'renderer'), preferredPort: host.port });
    try {
      expect(other.port).not.toBe(host.port);
      expect(other.port).toBeGreaterThan(0);
    } finally {
      await other.close();
    }
    await expect(startWebHost({ core, rendererDir: join(dir, 'renderer'), port: host.port, preferredPort: 1 })).rejects.toThrow(`port ${host.port} on 127.0.0.1 is already in use`);
  });

  it('takes its preferred port when it is free', async () => {
    const port = host.port;
    await host.close();
    host = await startWebHost({ core, rendererDir: build, preferredPort: port });
    expect(host.port).toBe(port);
    expect((await get('/')).status).toBe(200);
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
    ['a rebound host name', { host: 'evil.example' }],
    ['another path', { path: '/other' }],
  ] as const)('refuses the upgrade of a page with %s', async (_name, options) => {
    await expect(raw(options)).rejects.toThrow(/HTTP (403|404|421)/);
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

describe('signing in to the browser host (no cookie is a credential)', () => {
  it('serves the app shell, which holds no secret, to anyone, and never sets a cookie', async () => {
    const link = new URL(host.loginUrl());
    for (const path of ['/', '/index.html', '/assets/app.js', link.pathname + link.search, '/login', '/login?code=guess']) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.body).not.toContain(codeOf(link.href));
    }
    // The link was only looked at by the page: it still works once.
    await expect(openPage({ port: host.port, code: codeOf(link.href) })).resolves.toBeTruthy();
  });

  it('a stolen-cookie attacker, forging every header, gets no answer and no event without a session', async () => {
    const page = await connect(); // the user's page, signed in
    const attacker = await raw({ headers: { Cookie: 'fieldsync-0123456789abcdef=stolen', Referer: `${origin()}/` } });
    core.emit({ type: 'data', source: 'remote', tables: ['todos'] }); // an event while the attacker is connected
    expect(await page.next()).toMatchObject({ event: { type: 'data' } });
    attacker.ws.send(JSON.stringify({ id: 1, method: 'rows', args: ['lists', {}] }));
    expect(await attacker.closed).toBe(WS_CLOSE_REFUSED);
    expect(attacker.frames).toEqual([{ refused: { reason: 'protocol' } }]);
    expect(core.calls).toEqual([]);
    page.ws.close();
  });

  it('takes a sign-in code once, and not after it expires', async () => {
    const code = codeOf(host.loginUrl());
    const first = await openPage({ port: host.port, code });
    first.ws.close();
    await expect(openPage({ port: host.port, code })).rejects.toThrow('handshake: code-refused');
    const late = codeOf(host.loginUrl());
    now += CODE_TTL_MS + 1;
    await expect(openPage({ port: host.port, code: late })).rejects.toThrow('handshake: code-refused');
    await expect(openPage({ port: host.port, code: randomToken() })).rejects.toThrow('handshake: code-refused');
    // A used link opened again in the browser it signed in: its stored session still works.
    const again = await openPage({ port: host.port, code, store: first.store }).catch((e: Error) => e.message);
    expect(again).toBe('handshake: retry');
    await expect(openPage({ port: host.port, store: first.store })).resolves.toBeTruthy();
  });

  it('sessions reconnect (a network blip) with no new link, and expire', async () => {
    const page = await connect();
    page.ws.close();
    const again = await openPage({ port: host.port, store: page.store });
    expect(await again.call('rows', ['lists', {}])).toEqual({ ok: true, value: [{ id: 'l1' }] });
    again.ws.close();
    now += 24 * 60 * 60_000 + 1;
    await expect(openPage({ port: host.port, store: page.store })).rejects.toThrow('handshake: session-refused');
  });

  it('refuses a wrong or absent proof, and answers nothing before the proof', async () => {
    const session = (await connect()).store.load() as { id: string; secret: string };
    const hello = async (): Promise<{ r: Raw; pn: string; hn: string }> => {
      const r = await raw();
      const pn = randomToken();
      r.ws.send(JSON.stringify({ hello: { session: session.id, nonce: pn } }));
      const challenge = (await nextFrame(r)) as { challenge: { nonce: string; proof: string } };
      expect(challenge.challenge.proof).toBe(handshakeProof(session.secret, 'host', pn, challenge.challenge.nonce));
      return { r, pn, hn: challenge.challenge.nonce };
    };
    // A call instead of the proof.
    const a = await hello();
    a.r.ws.send(JSON.stringify({ id: 1, method: 'rows', args: ['lists', {}] }));
    expect(await a.r.closed).toBe(WS_CLOSE_REFUSED);
    expect(a.r.frames).toEqual([{ refused: { reason: 'protocol' } }]);
    // A wrong proof; the host's own proof sent back (a reflection); a proof for other nonces.
    const { createHmac } = await import('node:crypto');
    const forged = [
      (_pn: string, _hn: string) => 'f'.repeat(64),
      (pn: string, hn: string) => handshakeProof(session.secret, 'host', pn, hn),
      (_pn: string, hn: string) => handshakeProof(session.secret, 'page', randomToken(), hn),
      (pn: string, hn: string) => createHmac('sha256', randomToken()).update(proofMessage('page', pn, hn)).digest('hex'),
    ];
    for (const proof of forged) {
      const b = await hello();
      b.r.ws.send(JSON.stringify({ auth: { proof: proof(b.pn, b.hn) } }));
      expect(await b.r.closed).toBe(WS_CLOSE_REFUSED);
      expect(b.r.frames).toEqual([{ refused: { reason: 'proof' } }]);
    }
    // The right one.
    const c = await hello();
    c.r.ws.send(JSON.stringify({ auth: { proof: handshakeProof(session.secret, 'page', c.pn, c.hn) } }));
    expect(await nextFrame(c.r)).toEqual({ ready: true });
    expect(core.calls).toEqual([]);
    c.r.ws.close();
  });

  it('refuses an unknown session, a frame over the handshake limit, and a silent socket', async () => {
    const unknown = await raw();
    unknown.ws.send(JSON.stringify({ hello: { session: randomToken(), nonce: randomToken() } }));
    expect(await unknown.closed).toBe(WS_CLOSE_REFUSED);
    expect(unknown.frames).toEqual([{ refused: { reason: 'session' } }]);
    const big = await raw();
    big.ws.send(JSON.stringify({ redeem: { code: 'x'.repeat(600) } }));
    expect(await big.closed).toBe(WS_CLOSE_REFUSED);
    await host.close();
    host = await startWebHost({ core, rendererDir: build, limits: { handshakeMs: 200 } });
    const silent = await raw();
    expect(await silent.closed).toBe(1006); // terminated
  });

  it('a restarted host knows no session of the run before', async () => {
    const page = await connect();
    const port = host.port;
    await host.close();
    expect(await page.closed).toBe(1001);
    // The same clock: the session has not expired, the new run just never made it.
    host = await startWebHost({ core, rendererDir: build, port, now: () => now });
    await expect(openPage({ port, store: page.store })).rejects.toThrow('handshake: session-refused');
    expect(page.store.load()).toBeNull(); // and the page forgets it
    await expect(connect()).resolves.toBeTruthy(); // a new link works
  });

  it('caps the sockets still signing in: a new one evicts the oldest silent one, never one past its first step', async () => {
    await host.close();
    host = await startWebHost({ core, rendererDir: build, limits: { maxUnauthenticated: 3 } });
    const idle = [await raw(), await raw(), await raw()];
    const newer = await raw();
    expect(await idle[0]?.closed).toBe(1006); // evicted (round 59: the newcomer got 503)
    // Sockets that redeemed a code (only a page holds one) are not evicted: with only those, 503.
    for (const r of [...idle.slice(1), newer]) r.ws.close();
    await Promise.all([...idle, newer].map((r) => r.closed));
    const redeemed = [await raw(), await raw(), await raw()];
    for (const r of redeemed) r.ws.send(JSON.stringify({ redeem: { code: codeOf(host.loginUrl()) } }));
    await Promise.all(redeemed.map((r) => nextFrame(r)));
    await expect(raw()).rejects.toThrow('HTTP 503');
    redeemed[0]?.ws.close();
    await redeemed[0]?.closed;
    await vi.waitFor(async () => {
      const r = await raw();
      r.ws.close();
    });
    for (const r of redeemed) r.ws.close();
    await Promise.all(redeemed.map((r) => r.closed));
    await vi.waitFor(() => expect((host as unknown as { connections: number }).connections).toBe(0));
    // Signed-in pages do not count against it.
    const pages = [await connect(), await connect(), await connect(), await connect()];
    expect(host.connections).toBe(4);
    for (const p of pages) p.ws.close();
  });

  it('takes a Cookie header far over Node’s default limit (a cookie bomb from another port)', async () => {
    const cookie = Array.from({ length: 180 }, (_, i) => `bomb${i}=${'x'.repeat(3990)}`).join('; ');
    expect((await get('/', { cookie })).status).toBe(200);
    await expect(openPage({ port: host.port, code: codeOf(host.loginUrl()), headers: { Cookie: cookie } })).resolves.toBeTruthy();
  });

  it('logs no sign-in link, and refusals at most 10 times a minute', async () => {
    (await connect()).ws.close();
    expect(logs.join('\n')).not.toMatch(/code=/);
    for (let i = 0; i < 30; i++) await expect(raw({ origin: null })).rejects.toThrow(/HTTP 403/);
    const refusals = logs.filter((l) => l.startsWith('refused a WebSocket'));
    expect(refusals).toHaveLength(10);
    await host.close();
    expect(logs).toContain('… and 20 more refused WebSocket upgrades in the last 60 s');
  });
});
