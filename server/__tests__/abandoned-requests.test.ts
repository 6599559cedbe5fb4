/**
 * A client that goes away while its token is being checked (a sync cancelled just after it
 * started: `setOnline(false)`, a closed tab) gives its place among the user's requests in
 * flight back. It used to keep it: the place was taken after the token's check, and released
 * on the response's 'close', which had fired already. After `maxInflightPerUser` such requests
 * every sync of the user got 429 until the server restarted; an event stream opened that way
 * likewise counted against the user's streams for good. Real HTTP on loopback.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ env: { FIELDSYNC_MAX_INFLIGHT_PER_USER: '2', FIELDSYNC_MAX_STREAMS_PER_USER: '2', FIELDSYNC_HEARTBEAT: '30s' } });
});
afterAll(() => s.stop());

/** A whole request (a sync, or the event stream's), written at once, and the connection closed right after it. */
async function abandon(user: string, what: 'sync' | 'events' = 'sync', clientId = 'gone'): Promise<void> {
  const url = new URL(s.url);
  const body = what === 'sync' ? JSON.stringify({ clientId, cursor: 0 }) : '';
  const head = what === 'sync'
    ? [`POST /v1/sync HTTP/1.1`, `Host: ${url.host}`, `Authorization: Bearer ${await s.token(user)}`, 'Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`]
    : [`GET /v1/events?clientId=${clientId} HTTP/1.1`, `Host: ${url.host}`, `Authorization: Bearer ${await s.token(user)}`];
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) }, () => {
      socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => {
        socket.destroy();
        resolve();
      });
    });
    socket.on('error', reject);
  });
}

describe('requests abandoned while the token is checked', () => {
  it('give their places back: the user can still sync', async () => {
    for (let i = 0; i < 20; i++) await abandon('leaver');
    // Each abandoned request is done with within moments; a leaked place never comes back.
    let status = 0;
    for (let tries = 0; tries < 50 && status !== 200; tries++) {
      status = (await s.sync('leaver', { clientId: 'back', cursor: 0 })).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });

  it('leave no event stream behind', async () => {
    for (let i = 0; i < 100; i++) await abandon('listener', 'events', `gone${i}`);
    // Each is ended within moments of its token's check; one that missed its client's going
    // stayed open for good (no heartbeat or expiry ended it: they skip a destroyed response).
    let open = -1;
    for (let tries = 0; tries < 50 && open !== 0; tries++) {
      open = s.server.app.streams.count;
      if (open !== 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(open).toBe(0);
  });
});
