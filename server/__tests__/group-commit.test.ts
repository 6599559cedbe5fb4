/**
 * Group commit in the SQLite store's thread (issue 12, ingest): pushes that wait together are
 * committed in one transaction, each in a savepoint of its own. Over real HTTP, with pushes
 * large enough for the parse workers and small ones at once from many clients of one user:
 * every push is answered with what it stored, every message is stored once under ids with no
 * gap, and a push refused in the middle of a group stores nothing while the others are kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ env: { FIELDSYNC_MAX_INFLIGHT_PER_USER: '64' } });
});
afterAll(() => t.stop());

const push = (clientId: string, n: number, tag: string) => ({
  clientId, cursor: 0, limit: 1, messages: Array.from({ length: n }, (_, i) => msg(clientId, `${clientId}-${tag}-${i}`, `a long enough title for a large body, ${tag} ${i}`)),
});

describe('group commit', () => {
  it('stores every message of concurrent large and small pushes once, ids without gaps', async () => {
    const clients = Array.from({ length: 8 }, (_, c) => `client${c}`);
    const answers = await Promise.all(clients.flatMap((clientId, c) => [0, 1, 2].map(async (round) => {
      const n = c % 2 === 0 ? 700 : 40; // ~90 KB (a parse worker's) or ~5 KB
      const r = await t.sync('group', push(clientId, n, `r${round}`));
      expect(r.status).toBe(200);
      expect(r.body.accepted).toBe(n);
      return n;
    })));
    const total = answers.reduce((a, b) => a + b, 0);
    const all = await t.pullAll('group');
    expect(all).toHaveLength(total);
    expect(all.map((m) => m.id)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(all.map((m) => m.hlc)).size).toBe(total);
  });

  it('a push refused while others are committed stores nothing, and the others are kept', async () => {
    const bad = push('broken', 700, 'x');
    (bad.messages[350] as { value: unknown }).value = undefined; // JSON drops it: an invalid message
    const results = await Promise.all([
      t.sync('group2', push('ok1', 700, 'a')),
      t.sync('group2', bad),
      t.sync('group2', push('ok2', 700, 'b')),
      t.sync('group2', push('ok3', 20, 'c')),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 400, 200, 200]);
    const all = await t.pullAll('group2');
    expect(all).toHaveLength(1420);
    expect(all.some((m) => m.hlc.endsWith('-broken'))).toBe(false);
    expect(all.map((m) => m.id)).toEqual(Array.from({ length: 1420 }, (_, i) => i + 1));
  });
});
