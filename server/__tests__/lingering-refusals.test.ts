/**
 * A connection refused unread lingers before it closes (refuse-unread.ts), and no longer
 * counts against its address's connection bound while it does (connection-limits.ts): after
 * a burst of refused pushes, the same address's next sync is served at once; the lingering
 * ones are bounded apart (as many as the connection bound), and still closed after the linger.
 * Nor does its request count among its user's requests in flight (or, through a trusted proxy,
 * its client's requests in progress) once the refusal is written.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { REFUSAL_LINGER_MS } from '../limits.ts';
import { gatedStore } from './helpers/gated-store.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';
import { until } from '../../test-support/until.ts';


/** A push's head declaring a 3.9 MB body, sent on a connection that then sends nothing more and stays open. */
async function refusedPush(url: string, token: string, headers = 'Content-Type: application/json\r\n'): Promise<{ socket: Socket; text: () => string }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((r, j) => socket.once('connect', () => r()).once('error', j));
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  socket.on('error', () => {});
  socket.write(`POST /v1/sync HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${token}\r\n${headers}Content-Length: 3900000\r\n\r\n`);
  return { socket, text: () => text };
}

describe('connections refused unread, lingering', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('do not count against the address\'s bound, are bounded apart, and close after the linger', async () => {
    const MAX = 4;
    const g = gatedStore();
    s = await startTestServer({ store: g.store, env: { FIELDSYNC_MAX_INFLIGHT_BYTES: '3MiB', FIELDSYNC_MAX_CONNECTIONS_PER_ADDRESS: String(MAX) } });
    const server = s;
    // A large push held in the store takes the byte budget: the next large ones are refused unread.
    const first = server.sync('a', { clientId: 'A', cursor: 0, messages: Array.from({ length: 2000 }, (_, i) => msg('A', `a${i}`, 'x'.repeat(1000))) });
    await until(() => g.reached() === 1, 'the first large push did not reach the store');
    const open: Socket[] = [];
    server.server.app.fastify.server.on('connection', (c: Socket) => open.push(c));
    const held = () => open.filter((c) => !c.destroyed).length;

    const token = await server.token('b');
    const refused = [];
    let most = 0;
    for (let i = 0; i < 3 * MAX; i++) {
      const r = await refusedPush(server.url, token);
      await until(() => r.text().includes('\r\n\r\n'), `refusal ${i}: no answer`);
      expect(r.text(), `refusal ${i}`).toMatch(/^HTTP\/1\.1 429 .*"code":"rate_limited".*"the server is busy/is);
      refused.push(r);
      most = Math.max(most, held());
    }
    const refusedSide = [...open]; // the server's side of the refused connections
    expect(refusedSide).toHaveLength(3 * MAX);
    // A small sync from the same address is served at once, while they linger.
    const small = await server.sync('c', { clientId: 'C', cursor: 0 });
    expect(small.status).toBe(200);
    // Held at most: the lingering ones (MAX) and the one that counts (the held push's).
    expect(most).toBeLessThanOrEqual(MAX + 1);
    // The oldest were closed to make room; the newest still linger, and are closed once the
    // linger is over, though their clients keep them open.
    expect(refusedSide.filter((c) => !c.destroyed).length).toBeGreaterThan(0);
    await until(() => refusedSide.every((c) => c.destroyed), 'the lingering connections were not closed', REFUSAL_LINGER_MS + 3000);
    for (const r of refused) r.socket.destroy();
    g.open();
    expect((await first).status).toBe(200);
  });

  it.each([
    ['an unknown coding', 'Content-Type: application/json\r\nContent-Encoding: br\r\n', 415],
    ['the wrong media type', 'Content-Type: text/plain\r\n', 415],
  ])('give back their user\'s place in flight once answered: %s (round 51)', async (_name, header, status) => {
    // The place went back only when the lingering connection closed: the user's next sync
    // got 429 "too many requests in flight for this user" for 2 s.
    s = await startTestServer({ env: { FIELDSYNC_MAX_INFLIGHT_PER_USER: '1' } });
    const token = await s.token('u');
    const r = await refusedPush(s.url, token, header);
    await until(() => r.text().includes('\r\n\r\n'), 'no answer');
    expect(r.text()).toMatch(new RegExp(`^HTTP/1\\.1 ${status} .*connection: close`, 'is'));
    const next = await s.sync('u', { clientId: 'A', cursor: 0 });
    expect(next.status, JSON.stringify(next.body)).toBe(200);
    r.socket.destroy();
  });

  it('give back their client\'s place through a trusted proxy once answered (round 51)', async () => {
    s = await startTestServer({ env: { FIELDSYNC_TRUST_PROXY: '127.0.0.1', FIELDSYNC_MAX_CONNECTIONS_PER_ADDRESS: '1' } });
    const token = await s.token('u');
    const client = 'X-Forwarded-For: 203.0.113.5\r\n';
    const r = await refusedPush(s.url, token, `${client}Content-Type: application/json\r\nContent-Encoding: br\r\n`);
    await until(() => r.text().includes('\r\n\r\n'), 'no answer');
    expect(r.text()).toMatch(/^HTTP\/1\.1 415 /);
    const next = await fetch(`${s.url}/v1/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-forwarded-for': '203.0.113.5' },
      body: JSON.stringify({ clientId: 'A', cursor: 0 }),
    });
    expect(next.status, await next.clone().text()).toBe(200);
    await next.body?.cancel();
    r.socket.destroy();
  });
});
