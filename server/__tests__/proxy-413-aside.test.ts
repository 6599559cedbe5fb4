/**
 * A 413 that is not the protocol's (a proxy's own page) never sets a message aside (round 64,
 * attacker review of round 63's foreign answers). A protocol 413 at one message says the
 * server's limit is under that message; a proxy's page says only that something in front of
 * the server refused. Before, a proxy answering 413 to every sync (a WAF in an incident, a
 * misconfigured or hostile one) made one run halve down to one message, then set aside every
 * pending message, one request each, back to back: writes never pushed, on no server's word.
 */
import { describe, expect, it } from 'vitest';
import { createHttpRemote, createMemoryStore, createSyncClient, defineSchema } from 'fieldsync';
import { pageProxy } from './helpers/page-proxy.ts';
import { startTestServer } from './helpers/test-server.ts';

const schema = defineSchema({ version: 1, tables: { todos: { title: 'string' } } });
const PAGE = '<html><body>413 Request Entity Too Large</body></html>';

describe('a proxy\'s own 413 page', () => {
  it('sets no message aside: they stay pending, retried with backoff, and sync once the proxy passes them', async () => {
    const s = await startTestServer();
    const p = await pageProxy(s.url, 6, 413, PAGE, 'text/html');
    const client = await createSyncClient({
      schema, store: createMemoryStore(), remote: createHttpRemote({ url: p.url, token: await s.token('alice') }),
      retry: { initialMs: 50, maxMs: 200 }, debounceMs: 0, intervalMs: 3_600_000, autoSync: false,
    });
    try {
      for (const t of ['t1', 't2', 't3', 't4']) await client.set('todos', t, 'title', `milk ${t}`);
      // One run against the page: it may halve its requests, but sets nothing aside.
      const first = await client.sync().then(() => null, (err: unknown) => err);
      expect(client.status).toMatchObject({ pending: 4, rejected: 0 });
      expect(first).toMatchObject({ code: 'payload_too_large', status: 413, foreign: true });
      // Bounded: each run is one request at most once halved down (six pages in all).
      for (let i = 0; i < 10 && client.status.pending > 0; i++) await client.sync().catch(() => undefined);
      expect(client.status).toMatchObject({ pending: 0, rejected: 0, error: null });
      expect((await s.pullAll('alice')).map((m) => m.value).sort()).toEqual(['milk t1', 'milk t2', 'milk t3', 'milk t4']);
    } finally {
      await client.close();
      await new Promise((r) => p.server.close(r));
      await s.stop();
    }
  }, 30_000);
});
