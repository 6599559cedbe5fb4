/**
 * Requests pipelined after an event stream on its connection (stream-connections.ts). The
 * stream's answer never ends while its token is valid, so their answers waited behind it: a
 * push was stored and never answered, and each such request held its user's place for as long
 * as the stream lasted (the user got 429 for every sync meanwhile). And requests pipelined
 * after a refusal that leaves its body unread and closes the connection: Node had parsed them,
 * and a push among them was stored, never answered (behind a 501 for `gzip, chunked`: request
 * smuggling past a proxy that frames that body otherwise).
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Connection { readonly socket: Socket; text(): string; readonly closed: Promise<void> }

async function open(url: string): Promise<Connection> {
  const u = new URL(url);
  const socket = connect(Number(u.port), u.hostname);
  await new Promise((r) => socket.once('connect', r));
  let text = '';
  socket.on('data', (d: Buffer) => { text += d.toString('latin1'); });
  socket.on('error', () => {});
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  return { socket, text: () => text, closed };
}

const events = (token: string): string => `GET /v1/events?clientId=S HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n\r\n`;
function push(token: string, row: string): string {
  const body = JSON.stringify({ clientId: 'B', cursor: 0, messages: [msg('B', row, 1)] });
  return `POST /v1/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
}

describe('requests after an event stream on its connection', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it('pipelined with it: the stream is refused with 400, and the requests after it are answered', async () => {
    t = await startTestServer({ env: { FIELDSYNC_MAX_INFLIGHT_PER_USER: '2' } });
    const token = await t.token('alice');
    const c = await open(t.url);
    c.socket.write(events(token) + push(token, 'p1') + push(token, 'p2'));
    for (let i = 0; i < 50 && (c.text().match(/HTTP\/1\.1 /g) ?? []).length < 3; i++) await sleep(100);
    const statuses = [...c.text().matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
    expect(statuses).toEqual([400, 200, 200]);
    expect(c.text()).toContain('an event stream must be the last request on its connection');
    expect((await t.sync('alice', { clientId: 'C', cursor: 0 })).status).toBe(200);
    c.socket.destroy();
  });

  it('sent once the stream is open: the connection is reset, the request not handled, no place held', async () => {
    t = await startTestServer({ env: { FIELDSYNC_MAX_INFLIGHT_PER_USER: '1' } });
    const token = await t.token('alice');
    const c = await open(t.url);
    c.socket.write(events(token));
    for (let i = 0; i < 50 && !c.text().includes(': connected'); i++) await sleep(100);
    expect(c.text()).toContain(': connected');
    c.socket.write(push(token, 'after-stream'));
    const closed = await Promise.race([c.closed.then(() => true), sleep(3000).then(() => false)]);
    expect(closed, 'the connection was closed').toBe(true);
    await sleep(200);
    expect((await t.sync('alice', { clientId: 'C', cursor: 0 })).status).toBe(200);
    expect((await t.pullAll('alice')).map((m) => m.row)).not.toContain('after-stream');
    expect(t.logs).toContainEqual(expect.objectContaining({ msg: 'request', path: '/v1/sync', ended: 'request after an event stream on its connection' }));
    c.socket.destroy();
  });

  it('a stream after other requests on its connection opens as before', async () => {
    t = await startTestServer();
    const token = await t.token('alice');
    const c = await open(t.url);
    c.socket.write(push(token, 'first') + events(token));
    for (let i = 0; i < 50 && !c.text().includes(': connected'); i++) await sleep(100);
    expect([...c.text().matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]))).toEqual([200, 200]);
    expect(c.text()).toContain(': connected');
    c.socket.destroy();
  });
});

describe('requests after a refusal that closes the connection unread', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it.each([
    ['a 501 for gzip, chunked', 501, () => 'POST /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n'],
    ['a 401 of a chunked push', 401, () => 'POST /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n'],
  ])('behind %s: the push after it is not handled, and the log says so', async (_name, status, first) => {
    t = await startTestServer();
    const token = await t.token('alice');
    const c = await open(t.url);
    c.socket.write(first() + push(token, 'smuggled'));
    await Promise.race([c.closed, sleep(5000)]);
    expect([...c.text().matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]))).toEqual([status]);
    await sleep(200);
    expect((await t.pullAll('alice')).map((m) => m.row)).not.toContain('smuggled');
    expect(t.logs).toContainEqual(expect.objectContaining({ msg: 'request', path: '/v1/sync', ended: "request after its connection's last answer" }));
  });
});
