/**
 * A sync whose client closes the connection before the answer still gets its one log line,
 * saying the client went away and what it pushed and stored. The line was written only by
 * Fastify's `onResponse`, which never runs for an answer that was not written: a client that
 * sent a whole push and closed at once left no trace in the log, although its push was stored.
 * Real HTTP on loopback, from a raw socket.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatHlc } from 'fieldsync/server';
import { BodyError, readBody } from '../body-reader.ts';
import { gatedStore } from './helpers/gated-store.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

let s: TestServer | null = null;
afterEach(async () => {
  await s?.stop();
  s = null;
});

const push = (clientId: string, count: number) => ({
  clientId,
  cursor: 0,
  messages: Array.from({ length: count }, (_, i) => ({
    hlc: formatHlc({ millis: Date.now() - 1000 + i, counter: 0, clientId }), table: 'notes', row: `r${i}`, column: 'title', value: `v${i}`,
  })),
});

/** Writes a whole sync request with `X-Request-Id: requestId`, reading nothing; `leave()` closes the connection. */
async function sendPush(server: TestServer, user: string, body: unknown, requestId: string): Promise<{ leave(): Promise<void> }> {
  const url = new URL(server.url);
  const text = JSON.stringify(body);
  const head = [
    'POST /v1/sync HTTP/1.1', `Host: ${url.host}`, `Authorization: Bearer ${await server.token(user)}`, 'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(text)}`, `X-Request-Id: ${requestId}`,
  ];
  const socket = connect({ host: url.hostname, port: Number(url.port) });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.write(`${head.join('\r\n')}\r\n\r\n${text}`, () => resolve()));
  return {
    leave: () => new Promise<void>((resolve) => socket.end(() => {
      socket.destroy();
      resolve();
    })),
  };
}

const linesOf = (server: TestServer, requestId: string) => server.logs.filter((l) => l.reqId === requestId && l.msg === 'request');

/** After a sync answered since (its line written), no second line of `requestId` can still be on its way. */
async function settle(server: TestServer): Promise<void> {
  expect((await server.sync('someone-else', { clientId: 'Z', cursor: 0 })).status).toBe(200);
  await new Promise((r) => setTimeout(r, 100));
}

describe('a sync whose client goes away before the answer', () => {
  it('closing at once: logged once, client went away, saying what was stored (the server may not have read the body yet)', async () => {
    s = await startTestServer();
    const server = s;
    await (await sendPush(s, 'leaver', push('A', 3), 'gone-push-1')).leave();
    // Without waiting out the body timeout (10 s): a body that Node dropped with its closed
    // connection before the server read it fails at once (body-reader.ts).
    await expect.poll(() => linesOf(server, 'gone-push-1').length, { timeout: 5000 }).toBe(1);
    await settle(s);
    const lines = linesOf(s, 'gone-push-1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ method: 'POST', path: '/v1/sync', user: 'leaver', ended: 'client went away' });
    // Which one depends on whether the body was read before the connection's end was seen.
    const rows = (await s.pullAll('leaver')).map((m) => m.row).sort();
    if (lines[0]?.status === 200) {
      expect(lines[0]).toMatchObject({ pushed: 3, stored: 3 });
      expect(rows).toEqual(['r0', 'r1', 'r2']);
    } else {
      expect(lines[0]).toMatchObject({ status: 400, error: 'invalid_request', reason: 'the request body was cut off' });
      expect(rows).toEqual([]);
    }
  });

  it('gone while its push is in the store: the push is stored, and logged once when done, with its counts', async () => {
    const gated = gatedStore(); // a push of more than 10 messages waits until opened
    s = await startTestServer({ store: gated.store });
    const server = s;
    const client = await sendPush(s, 'slow', push('B', 11), 'gone-push-2');
    await expect.poll(() => gated.reached(), { timeout: 5000 }).toBe(1); // the body was read
    await client.leave();
    // The client is gone and the push is still in the store: nothing said yet.
    await new Promise((r) => setTimeout(r, 100));
    expect(linesOf(s, 'gone-push-2')).toEqual([]);
    gated.open();
    await expect.poll(() => linesOf(server, 'gone-push-2').length, { timeout: 5000 }).toBe(1);
    expect((await s.pullAll('slow'))).toHaveLength(11);
    await settle(s);
    const lines = linesOf(s, 'gone-push-2');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ status: 200, user: 'slow', pushed: 11, stored: 11, ended: 'client went away' });
  });

  it('a sync whose client stays gets one line, without ended', async () => {
    s = await startTestServer();
    const res = await fetch(`${s.url}/v1/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await s.token('stayer')}`, 'x-request-id': 'stayed-1' },
      body: JSON.stringify(push('C', 2)),
    });
    expect(res.status).toBe(200);
    await res.json();
    await settle(s);
    const lines = linesOf(s, 'stayed-1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ status: 200, pushed: 2, stored: 2 });
    expect(lines[0]).not.toHaveProperty('ended');
  });

  it('a body Node dropped with its closed connection before it was read fails at once, not at the body timeout', async () => {
    // The request as the sync route meets it when its client closed while the token was checked.
    const server = createServer();
    const seen = new Promise<IncomingMessage>((resolve) => {
      server.once('request', (req: IncomingMessage) => resolve(req));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const socket = connect({ host: '127.0.0.1', port: (server.address() as { port: number }).port });
      socket.on('error', () => undefined);
      socket.end('POST /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}', () => socket.destroy());
      const req = await seen;
      await expect.poll(() => req.destroyed, { timeout: 2000, interval: 10 }).toBe(true);
      // The clock stopped (round 67: in place of a 1 s bound on the time it took): it fails
      // with no timer of the reader's having fired, so not at a bound's end.
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
      const limits = { maxBytes: 1024, graceMs: 10_000, idleMs: 10_000, minBytesPerSecond: 1, drainBytes: 1024 };
      let err: unknown = 'not settled';
      void readBody(req, limits).then(() => (err = null), (e: unknown) => (err = e));
      for (let turn = 0; turn < 1000 && err === 'not settled'; turn++) await new Promise((resolve) => setImmediate(resolve));
      expect(err, 'failed with the clock stopped').not.toBe('not settled');
      expect(err).toBeInstanceOf(BodyError);
      expect(err).toMatchObject({ status: 400, close: true });
    } finally {
      vi.useRealTimers();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
