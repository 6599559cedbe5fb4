/**
 * The app developer's case of issue 12 (round 62): a server that sends one message too large
 * to ever read. The HTTP remote asks for less down to one message a page, then fails with an
 * AnswerTooLargeError (a RemoteError, `transient` false). Until round 62 the scheduler retried
 * that for ever with backoff; now syncing stops until the app calls sync(), and a sync that
 * succeeds resumes it. A real HTTP server on loopback: it declares a Content-Length over the
 * protocol's 40 MiB whatever is asked (refused from the header, so little moves on the socket)
 * until the test mends it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AnswerTooLargeError, RemoteError, createHttpRemote, createSyncClient } from '../index.ts';
import { MAX_ANSWER_BYTES } from '../protocol.ts';
import { closeHostile, hostile } from './harness/hostile-server.ts';
import { memory, schema, until } from './harness/test-kit.ts';

afterEach(closeHostile);

const NOW = new Date().toISOString();

/** Too large until `mended`: then answers that take what is pushed and send nothing. Logs each request's `limit` and `pages`. */
async function serve(): Promise<{ url: string; asked: string[]; state: { mended: boolean } }> {
  const asked: string[] = [];
  const state = { mended: false };
  hostile.server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const { limit, pages, cursor, messages = [] } = JSON.parse(text) as { limit?: number; pages?: number; cursor: number; messages?: unknown[] };
      asked.push(`${limit ?? '-'}x${pages ?? '-'}`);
      if (state.mended) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return void res.end(JSON.stringify({ accepted: messages.length, cursor, more: false, serverTime: NOW, epoch: 'e1', messages: [] }));
      }
      // The start of a body the client never reads: it refuses the declared length first.
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': MAX_ANSWER_BYTES + 1 });
      res.write('{"accepted":0,');
    });
  });
  await new Promise<void>((r) => hostile.server?.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(hostile.server?.address() as AddressInfo).port}`, asked, state };
}

describe('a server that sends one message too large to ever read', () => {
  it('fails with an AnswerTooLargeError, and the client stops syncing by itself until sync() succeeds', async () => {
    const { url, asked, state } = await serve();
    // Retries as fast as the options allow: before round 62 this client sent a request a few ms apart, for ever.
    const client = await createSyncClient({
      schema, store: memory(), debounceMs: 0, intervalMs: 1, retry: { initialMs: 1, maxMs: 1 },
      remote: createHttpRemote({ url, token: 't', timeoutMs: 20_000 }),
    });
    hostile.clients.push(client);
    await until(() => client.status.error !== null, 10_000);
    expect(client.status).toMatchObject({ state: 'error', nextRetryAt: null, error: { code: 'invalid_response', message: expect.stringContaining('no smaller request can be read') } });
    expect(asked).toEqual(['1000x8', '1000x1', '500x1', '250x1', '125x1', '63x1', '32x1', '16x1', '8x1', '4x1', '2x1', '1x1']);

    // The app's own sync() runs (at the size learnt) and rejects with the typed error.
    const err = await client.sync().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(AnswerTooLargeError);
    expect(err).toBeInstanceOf(RemoteError); // what caught a RemoteError before catches it
    expect(err).toMatchObject({ name: 'AnswerTooLargeError', code: 'invalid_response', status: 200, transient: false });
    expect(asked).toHaveLength(13);

    // Writes and the interval (1 ms) sync nothing meanwhile. A bounded wait, no timed assertion:
    // at the old backoff of 1 ms the client would have sent dozens of requests in it.
    await client.set('lists', 'l1', 'name', 'groceries');
    await new Promise((r) => setTimeout(r, 300));
    expect(asked).toHaveLength(13);
    expect(client.status).toMatchObject({ state: 'error', pending: 1, nextRetryAt: null });

    // The server is mended: sync() succeeds, and the client syncs by itself again.
    state.mended = true;
    expect(await client.sync()).toMatchObject({ state: 'idle', error: null });
    const after = asked.length;
    await client.set('lists', 'l1', 'name', 'shopping');
    await until(() => asked.length > after, 10_000);
    await until(() => client.status.pending === 0 && client.status.state === 'idle', 10_000);
  }, 30_000);
});
