/**
 * Behind a reverse proxy (audit-proxy findings 1 and 4). With `--trust-proxy`, a trusted
 * peer's `X-Forwarded-For` gives the client's address, in logs and in the bound per address
 * (which then counts a client's requests in progress, not the proxy's connections); from any
 * other peer the header is ignored. Refusals are logged with why and from where, and every
 * answer names its request in `X-Request-Id` (the client's, when sane; else a random one).
 *
 * The tests run on loopback: the server is told to trust 127.0.0.1 (the tests are the proxy),
 * or another address (the tests are a client that forges the header), or nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openEvents, type EventReader } from './helpers/event-reader.ts';
import { rawRequest } from './helpers/raw-http.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { isLocalAddress, proxyEntry, proxyTrust } from '../trust-proxy.ts';

const LOOPBACK = '127.0.0.1';

describe('which peers are trusted', () => {
  it('matches addresses and ranges, an IPv4-mapped IPv6 peer as its IPv4 address, and nothing that is not an address', () => {
    expect(proxyTrust(undefined)).toBeNull();
    const trusted = proxyTrust(['10.0.0.0/8', '192.0.2.7', 'fd00::/8', '::1']);
    expect(['10.0.0.1', '10.255.1.2', '::ffff:10.1.2.3', '192.0.2.7', 'fd12::1', '::1'].map((a) => trusted?.(a))).toEqual([true, true, true, true, true, true]);
    expect(['11.0.0.1', '192.0.2.8', '::ffff:192.0.2.8', 'fe80::1', '::2', '127.0.0.1', 'junk', '', undefined].map((a) => trusted?.(a))).toEqual(Array(9).fill(false));
  });

  it('trusts no one with an empty list, as with none', () => {
    expect(proxyTrust([])).toBeNull();
  });

  it('reads an entry as an address or a range with a prefix length of digits only, normalized', () => {
    expect(['10.0.0.0/8', '10.0.0.0/008', 'FD00::/8', 'fe80::1', '0.0.0.0/0'].map(proxyEntry)).toEqual(
      [{ entry: '10.0.0.0/8' }, { entry: '10.0.0.0/8' }, { entry: 'fd00::/8' }, { entry: 'fe80::1' }, { entry: '0.0.0.0/0' }],
    );
    const v4 = { problem: 'has a prefix length that is not a number from 0 to 32' };
    expect(['10.0.0.0/24x', '10.0.0.0/x24', '10.0.0.0/', '10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/1e1', '10.0.0.0/ 8'].map(proxyEntry)).toEqual(Array(7).fill(v4));
    expect(proxyEntry('fd00::/129')).toEqual({ problem: 'has a prefix length that is not a number from 0 to 128' });
    const notOne = { problem: 'is not an IP address or a CIDR range' };
    expect(['10.0.0.0/8/8', 'fe80::1%eth0', 'proxy.local', ''].map(proxyEntry)).toEqual(Array(4).fill(notOne));
  });

  it('knows the loopback and private addresses a proxy usually connects from', () => {
    expect(['127.0.0.1', '::ffff:127.0.0.1', '10.1.1.1', '172.20.0.3', '192.168.1.1', '100.64.0.1', '::1', 'fd00::1'].every((a) => isLocalAddress(a))).toBe(true);
    expect(['203.0.113.7', '8.8.8.8', '172.32.0.1', '2001:db8::1', undefined].some((a) => isLocalAddress(a))).toBe(false);
  });
});

describe('behind a reverse proxy', () => {
  let s: TestServer | undefined;
  const streams: EventReader[] = [];
  afterEach(async () => {
    for (const e of streams.splice(0)) e.close();
    await s?.stop();
    s = undefined;
  });

  const syncVia = async (server: TestServer, user: string, headers: Record<string, string>) => {
    const res = await fetch(`${server.url}/v1/sync`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', authorization: `Bearer ${await server.token(user)}` },
      body: JSON.stringify({ clientId: 'A', cursor: 0 }),
    });
    await res.text();
    return res;
  };
  const lineOf = (server: TestServer, user: string) => server.logs.find((l) => l.msg === 'request' && l.user === user);

  it("takes a trusted proxy's X-Forwarded-For as the client's address, and logs the proxy as the peer", async () => {
    s = await startTestServer({ env: { FIELDSYNC_TRUST_PROXY: LOOPBACK } });
    // As nginx's `$proxy_add_x_forwarded_for` writes it: what the client sent, then its address.
    const res = await syncVia(s, 'proxied', { 'x-forwarded-for': '198.51.100.1, 203.0.113.7' });
    expect(res.status).toBe(200);
    expect(lineOf(s, 'proxied')).toMatchObject({ status: 200, ip: '203.0.113.7', peer: LOOPBACK });
    // A trusted peer without the header is the client itself.
    await syncVia(s, 'direct', {});
    expect(lineOf(s, 'direct')).toMatchObject({ ip: LOOPBACK });
    expect(lineOf(s, 'direct')).not.toHaveProperty('peer');
    // An address with a port, as some proxies write it, is the address.
    await syncVia(s, 'ported', { 'x-forwarded-for': '203.0.113.8:51234' });
    expect(lineOf(s, 'ported')).toMatchObject({ ip: '203.0.113.8', peer: LOOPBACK });
    await syncVia(s, 'ported6', { 'x-forwarded-for': '[2001:db8::8]:443' });
    expect(lineOf(s, 'ported6')).toMatchObject({ ip: '2001:db8::8', peer: LOOPBACK });
    // A forwarded value that is not an address is its own, never the trusted peer's.
    await syncVia(s, 'junk', { 'x-forwarded-for': 'not-an-address' });
    expect(lineOf(s, 'junk')).toMatchObject({ ip: 'unparsed:not-an-address', peer: LOOPBACK });
  });

  it('bounds a client whose proxy writes its address with a port, or writes no address, as any other', async () => {
    s = await startTestServer({ env: { FIELDSYNC_TRUST_PROXY: LOOPBACK, FIELDSYNC_MAX_CONNECTIONS_PER_ADDRESS: '2' } });
    for (const xff of ['203.0.113.5:1111', '203.0.113.5:2222', '203.0.113.5', 'junk', 'junk', 'junk']) {
      streams.push(await openEvents(s.url, await s.token(`q${streams.length}`), `c${streams.length}`, { 'x-forwarded-for': xff }));
    }
    expect(streams.map((e) => e.status)).toEqual([200, 200, 429, 200, 200, 429]);
  });

  for (const [name, env] of [['no trusted proxy', {}], ['another address trusted', { FIELDSYNC_TRUST_PROXY: '10.9.9.9,192.168.0.0/16' }]] as const) {
    it(`ignores X-Forwarded-For from a peer that is not trusted (${name})`, async () => {
      s = await startTestServer({ env });
      await syncVia(s, 'spoofer', { 'x-forwarded-for': '203.0.113.66' });
      expect(lineOf(s, 'spoofer')).toMatchObject({ status: 200, ip: LOOPBACK });
      expect(lineOf(s, 'spoofer')).not.toHaveProperty('peer');
      expect(s.logText()).not.toContain('203.0.113.66');
    });
  }

  it('does not bind the users behind a trusted proxy together: more streams than the bound per address, from as many clients, and a sync', async () => {
    s = await startTestServer({ env: { FIELDSYNC_TRUST_PROXY: LOOPBACK, FIELDSYNC_MAX_CONNECTIONS_PER_ADDRESS: '2' } });
    // 6 connections from the proxy: past twice the bound, where they used to be closed as they opened.
    for (let i = 1; i <= 6; i++) streams.push(await openEvents(s.url, await s.token(`u${i}`), `c${i}`, { 'x-forwarded-for': `203.0.113.${i}` }));
    // And the proxy's own machine (a trusted address, named by no one else), unbound as the proxy is.
    for (let i = 1; i <= 3; i++) streams.push(await openEvents(s.url, await s.token(`p${i}`), `c${i}`, { 'x-forwarded-for': LOOPBACK }));
    expect(streams.map((e) => e.status)).toEqual(Array(9).fill(200));
    expect((await syncVia(s, 'zed', { 'x-forwarded-for': '203.0.113.99' })).status).toBe(200);
  });

  it('still bounds one client behind a trusted proxy, by its forwarded address, and keeps the shared connection', async () => {
    s = await startTestServer({ env: { FIELDSYNC_TRUST_PROXY: LOOPBACK, FIELDSYNC_MAX_CONNECTIONS_PER_ADDRESS: '2' } });
    const one = { 'x-forwarded-for': '203.0.113.5' };
    for (let i = 1; i <= 3; i++) streams.push(await openEvents(s.url, await s.token(`v${i}`), `c${i}`, one));
    expect(streams.map((e) => e.status)).toEqual([200, 200, 429]);
    // Its sync too (each stream and request holds a connection of the proxy's), but not another client's.
    const refused = await syncVia(s, 'v9', one);
    expect([refused.status, refused.headers.get('retry-after'), refused.headers.get('connection')]).toEqual([429, '5', 'keep-alive']);
    expect(lineOf(s, 'v9')).toBeUndefined(); // refused before its token was read
    expect(s.logs.find((l) => l.status === 429 && l.path === '/v1/sync')).toMatchObject({
      error: 'rate_limited', reason: 'too many requests in progress from this address', ip: '203.0.113.5', peer: LOOPBACK,
    });
    expect((await syncVia(s, 'other', { 'x-forwarded-for': '203.0.113.6' })).status).toBe(200);
    // A stream that ends gives its place back.
    streams[0]?.close();
    await streams[0]?.ended;
    await expect.poll(async () => (await syncVia(s as TestServer, 'v9', one)).status).toBe(200);
  });

  it('without --trust-proxy, binds every client of the proxy together as before, logs why, and warns once naming --trust-proxy', async () => {
    s = await startTestServer({ env: { FIELDSYNC_MAX_CONNECTIONS_PER_ADDRESS: '2' } });
    for (let i = 1; i <= 4; i++) streams.push(await openEvents(s.url, await s.token(`w${i}`), `c${i}`, { 'x-forwarded-for': `203.0.113.${i}` }));
    expect(streams.map((e) => e.status)).toEqual([200, 200, 429, 429]);
    const refusals = s.logs.filter((l) => l.msg === 'request' && l.status === 429);
    expect(refusals).toHaveLength(2);
    for (const line of refusals) {
      expect(line).toMatchObject({ path: '/v1/events', error: 'rate_limited', reason: 'too many connections from this address', ip: LOOPBACK });
    }
    const warnings = s.logs.filter((l) => l.level === 40 && String(l.msg).includes('--trust-proxy'));
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]?.msg)).toMatch(/^the connections from 127\.0\.0\.1 passed --max-connections-per-address \(2\): if the server is behind a reverse proxy/);
  });
});

describe('request ids', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it("echoes a sane X-Request-Id and logs it as the request's id", async () => {
    s = await startTestServer();
    // A client's trace id, nginx's $request_id, an AWS load balancer's, the longest taken.
    for (const id of ['trace-abc-123', 'a3f1c2d4e5b6a7980123456789abcdef', 'Root=1-5759e988-bd862e3fe1be46a994272793', 'x'.repeat(128)]) {
      const res = await fetch(`${s.url}/v1/sync`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await s.token('alice')}`, 'x-request-id': id }, body: '{"clientId":"A","cursor":0}',
      });
      expect([res.status, res.headers.get('x-request-id')]).toEqual([200, id]);
      expect(s.logs.filter((l) => l.msg === 'request' && l.reqId === id)).toHaveLength(1);
    }
  });

  it('with --trust-proxy, takes one from a trusted proxy only (a client could pick another request\'s)', async () => {
    for (const [trust, echoed] of [[LOOPBACK, true], ['10.9.9.9', false]] as const) {
      s = await startTestServer({ env: { FIELDSYNC_TRUST_PROXY: trust } });
      const res = await fetch(`${s.url}/healthz`, { headers: { 'x-request-id': 'picked-by-the-client' } });
      expect(res.headers.get('x-request-id') === 'picked-by-the-client').toBe(echoed);
      await s.stop();
      s = undefined;
    }
  });

  it('replaces one that is not a sane token with a random id', async () => {
    s = await startTestServer();
    for (const insane of ['x'.repeat(129), 'has space', 'quote"d', '{"json":1}', 'a,b', 'tab\there', 'caf\u00e9']) {
      const res = await fetch(`${s.url}/healthz`, { headers: { 'x-request-id': insane } });
      const id = res.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(s.logText()).not.toContain(insane.slice(0, 20));
    }
  });

  it('generates a random one on every answer when none is given: errors, refusals unread and the event stream included', async () => {
    s = await startTestServer({ env: { FIELDSYNC_CORS_ORIGINS: 'https://app.example.com' } });
    const ids: string[] = [];
    const seen = (id: string | null | undefined) => {
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      ids.push(id as string);
    };
    const ok = await fetch(`${s.url}/healthz`, { headers: { origin: 'https://app.example.com' } });
    seen(ok.headers.get('x-request-id'));
    expect(ok.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
    seen((await fetch(`${s.url}/nowhere`)).headers.get('x-request-id')); // 404
    seen((await fetch(`${s.url}/%E0%A4%A`)).headers.get('x-request-id')); // a malformed URL
    const noToken = await fetch(`${s.url}/v1/sync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(noToken.status).toBe(401);
    seen(noToken.headers.get('x-request-id'));
    // A large body refused unread: written on the socket by hand (refuse-unread.ts).
    const unread = await rawRequest(s.url, { method: 'POST', path: '/v1/sync', headers: { 'content-type': 'application/json', 'content-length': 4 * 1024 * 1024 }, chunks: ['{'], leaveOpen: true });
    expect(unread.status).toBe(401);
    seen(unread.headers['x-request-id'] as string);
    await expect.poll(() => s?.logs.find((l) => l.reqId === unread.headers['x-request-id'])).toMatchObject({
      status: 401, ip: LOOPBACK, error: 'unauthorized', reason: 'missing bearer token',
    });
    const stream = await openEvents(s.url, await s.token('alice'), 'A');
    seen(stream.headers.get('x-request-id'));
    stream.close();
    expect(new Set(ids).size).toBe(ids.length);
    // Each is the id of the request's log line.
    for (const id of ids.slice(0, 5)) expect(s.logs.filter((l) => l.msg === 'request' && l.reqId === id)).toHaveLength(1);
  });
});
