/**
 * A graceful shutdown with a request in flight on a kept-alive connection: the request is
 * answered, with `Connection: close`, and the connection closes with it, so the shutdown ends
 * as soon as the work does. Before, the connection stayed open after its answer until the
 * shutdown timeout cut it: every rolling restart of a busy process took the whole timeout.
 */
import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { msg, startTestServer } from './helpers/test-server.ts';

describe('a shutdown with a request in flight on a kept-alive connection', () => {
  it('answers it with Connection: close, closes the connection and ends without waiting for the timeout', async () => {
    // A timeout longer than the test's own: a shutdown that waits for it fails the test.
    const s = await startTestServer({ env: { FIELDSYNC_SHUTDOWN_TIMEOUT: '5m' } });
    const token = await s.token('alice');
    const body = JSON.stringify({ clientId: 'A', cursor: 0, messages: [msg('A', 'r1', 'during shutdown')] });
    const agent = new Agent({ keepAlive: true });
    let closing: Promise<void> | null = null;
    let socketClosed = false;
    const answer = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const req = request(`${s.url}/v1/sync`, {
        method: 'POST', agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
      }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      });
      req.on('error', reject);
      req.on('socket', (socket) => socket.once('close', () => (socketClosed = true)));
      req.write(body.slice(0, 20));
      // The shutdown starts while the body is on its way; then the rest of it arrives.
      setTimeout(() => {
        closing = s.stop();
        setTimeout(() => req.end(body.slice(20)), 100);
      }, 100);
    });
    expect(answer).toEqual({ status: 200, connection: 'close' });
    await closing;
    expect(socketClosed).toBe(true);
    agent.destroy();
  });
});
