/**
 * A 4xx that is not the protocol's (a proxy's own page: a load balancer's 404 while a deploy
 * swaps the server, a WAF's 403 challenge) says nothing of the sync server, so it is retried
 * with backoff (round 63, attacker review). Round 62 stopped syncing after any permanent
 * RemoteError: one such page stopped a client for good, writes and pokes included, until its
 * user pressed "Sync now". A protocol error body from the server (`{"error": ...}`) still stops
 * it. Real server, a real proxy on loopback in front of it.
 */
import { describe, expect, it } from 'vitest';
import { createHttpRemote, createMemoryStore, createSyncClient, defineSchema, type SyncClient } from 'fieldsync';
import { pageProxy as proxy } from './helpers/page-proxy.ts';
import { startTestServer } from './helpers/test-server.ts';

const schema = defineSchema({ version: 1, tables: { todos: { title: 'string' } } });

/** Waits (bounded: 100 checks, 100 ms apart) until the client has nothing to push. */
async function untilPushed(client: SyncClient): Promise<void> {
  for (let i = 0; i < 100 && client.status.pending > 0; i++) await new Promise((r) => setTimeout(r, 100));
}

describe('a proxy\'s own 4xx page is retried; the server\'s own refusal is not', () => {
  it.each([
    ['404 HTML page', 404, '<html><body>404 Not Found</body></html>', 'text/html'],
    ['403 HTML page', 403, '<html><body>Access denied</body></html>', 'text/html'],
    ['400, empty JSON', 400, '{}', 'application/json'],
  ])('%s once: the client syncs again by itself', async (_name, status, body, type) => {
    const s = await startTestServer();
    const p = await proxy(s.url, 1, status, body, type);
    const client = await createSyncClient({
      schema, store: createMemoryStore(), remote: createHttpRemote({ url: p.url, token: await s.token('alice') }),
      retry: { initialMs: 50, maxMs: 200 }, debounceMs: 0, intervalMs: 3_600_000,
    });
    try {
      await client.set('todos', 't1', 'title', 'milk');
      await untilPushed(client);
      expect(p.seen()).toBeGreaterThan(1);
      expect(client.status).toMatchObject({ pending: 0, error: null });
      expect((await s.pullAll('alice')).map((m) => m.value)).toEqual(['milk']);
    } finally {
      await client.close();
      await new Promise((r) => p.server.close(r));
      await s.stop();
    }
  }, 30_000);

  it('the protocol\'s own 404 error body still stops syncing until sync()', async () => {
    const s = await startTestServer();
    const p = await proxy(s.url, 1, 404, '{"error":{"code":"not_found","message":"no such endpoint"}}', 'application/json');
    const client = await createSyncClient({
      schema, store: createMemoryStore(), remote: createHttpRemote({ url: p.url, token: await s.token('alice') }),
      retry: { initialMs: 50, maxMs: 200 }, debounceMs: 0, intervalMs: 3_600_000,
    });
    try {
      await client.set('todos', 't1', 'title', 'milk');
      for (let i = 0; i < 100 && client.status.state !== 'error'; i++) await new Promise((r) => setTimeout(r, 20));
      expect(client.status).toMatchObject({ state: 'error', nextRetryAt: null, pending: 1, error: { code: 'not_found' } });
      await client.sync();
      expect(client.status).toMatchObject({ pending: 0, error: null });
      expect(p.seen()).toBe(2);
    } finally {
      await client.close();
      await new Promise((r) => p.server.close(r));
      await s.stop();
    }
  }, 30_000);
});
