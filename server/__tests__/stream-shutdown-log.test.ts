/**
 * An event stream that a shutdown ends gets one log line, "stream closed", as one its client
 * ends does. Ended by the server, its answer finished, and Fastify's onResponse logged a
 * "request" line for it too: every restart wrote two lines for each realtime client.
 */
import { request } from 'node:http';
import { expect, it } from 'vitest';
import { startTestServer } from './helpers/test-server.ts';

it('logs an event stream ended by a shutdown once, as "stream closed"', async () => {
  const s = await startTestServer();
  const token = await s.token('alice');
  // In an object: a promise resolved with a promise would wait for it.
  const { ended } = await new Promise<{ ended: Promise<void> }>((resolve, reject) => {
    const req = request(`${s.url}/v1/events?clientId=A`, { headers: { authorization: `Bearer ${token}`, 'x-request-id': 'stream-at-shutdown' } }, (res) => {
      const done = new Promise<void>((r) => res.on('close', () => r()));
      res.setEncoding('utf8');
      res.once('data', () => resolve({ ended: done })); // `: connected`: the stream is open
    });
    req.on('error', reject);
    req.end();
  });
  await s.stop();
  await ended;
  const lines = s.logs.filter((l) => l.reqId === 'stream-at-shutdown');
  expect(lines.map((l) => l.msg)).toEqual(['stream closed']);
  expect(lines[0]).toMatchObject({ path: '/v1/events', status: 200, user: 'alice', pokes: 0 });
});
