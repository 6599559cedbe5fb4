/**
 * A request still in flight when the shutdown timeout passes has its connection closed by the
 * server, and its log line says so. It said `"ended": "client went away"`, as for a client
 * that left by itself, which sent an operator looking for a client or network problem after a
 * restart that was the server's own doing.
 */
import { connect } from 'node:net';
import { expect, it } from 'vitest';
import { startTestServer } from './helpers/test-server.ts';

it('logs a request cut at the shutdown timeout as closed by it, not as a client that went away', async () => {
  const s = await startTestServer({ env: { FIELDSYNC_SHUTDOWN_TIMEOUT: '200ms' } });
  const url = new URL(s.url);
  const body = JSON.stringify({ clientId: 'A', cursor: 0, messages: [] });
  const head = [
    'POST /v1/sync HTTP/1.1', `Host: ${url.host}`, `Authorization: Bearer ${await s.token('alice')}`, 'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`, 'X-Request-Id: cut-at-shutdown',
  ];
  const socket = connect({ host: url.hostname, port: Number(url.port) });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  // Half the body: the request stays in flight, on a client still there, past the timeout.
  await new Promise<void>((resolve) => socket.write(`${head.join('\r\n')}\r\n\r\n${body.slice(0, 10)}`, () => resolve()));
  await new Promise((r) => setTimeout(r, 100));
  await s.stop();
  await closed;
  const lines = s.logs.filter((l) => l.reqId === 'cut-at-shutdown' && l.msg === 'request');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ path: '/v1/sync', user: 'alice', ended: 'closed at the shutdown timeout' });
});
