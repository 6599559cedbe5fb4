/**
 * Issue 12, small lane, as behaviour over real HTTP with the SQLite store the server opens:
 * a large push is committed in chunks (stores/chunked-push.ts), so a small sync of another
 * user that arrives meanwhile is answered before it, while one of the same user waits for it
 * (its ids stay one run); and a server killed in the middle of a chunked push, then started
 * again, stores the rest of that push once when the client sends it again. The latencies
 * are in `npm run bench` (workload 8, big-pushes).
 */
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from 'fieldsync';
import { SQLITE_FILE } from '../stores/open-store.ts';
import { spawnServer, type ChildServer } from '../../test-support/child-server.ts';
import { SECRET, msg, signToken, startTestServer, type TestServer } from './helpers/test-server.ts';
import { tempDir } from './helpers/temp-dir.ts';

/** A push of `n` messages of about 3,200 bytes: 5,000 of them (the most a push may have) are 16 MB, about 30 chunks. */
const bigPush = (clientId: string, n: number): { clientId: string; cursor: number; limit: number; messages: Message[] } => ({
  clientId,
  cursor: 0,
  limit: 1,
  messages: Array.from({ length: n }, (_, i) => msg(clientId, `${clientId}-${i}`, `${i} ${'x'.repeat(3200)}`)),
});

/** Messages the server's database holds for `user`, read as another process would (WAL). */
function storedCount(db: DatabaseSync, user: string): number {
  const row = db.prepare('SELECT count(*) AS n FROM messages JOIN users USING (uid) WHERE users.name = ?').get(user) as { n: number } | undefined;
  return Number(row?.n ?? 0);
}

/** Resolves once `check` holds, looking at every turn of the event loop (at most 20 s). */
async function until(check: () => boolean, label: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${label}: not within 20 s`);
    await new Promise((r) => setImmediate(r));
  }
}

const post = async (url: string, user: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
  const res = await fetch(`${url}/v1/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await signToken({ sub: user })}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('a large push in chunks', () => {
  let s: TestServer | undefined;
  let child: ChildServer | undefined;
  let db: DatabaseSync | undefined;
  afterEach(async () => {
    db?.close();
    db = undefined;
    child?.child.kill('SIGKILL');
    child = undefined;
    await s?.stop();
    s = undefined;
  });

  it.each([
    ['parsed in a parse worker', '1'],
    ['parsed in the store\'s thread (--parse-workers 0)', '0'],
  ])('answers a small sync of another user before a large push that was already being committed (%s); the same user\'s waits for it', async (_, workers) => {
    s = await startTestServer({ env: { FIELDSYNC_BODY_LIMIT: '32MiB', FIELDSYNC_PARSE_WORKERS: workers } });
    const server = s;
    db = new DatabaseSync(join(server.dataDir, SQLITE_FILE), { readOnly: true, timeout: 10_000 });
    const reader = db;
    const order: string[] = [];
    const big = post(server.url, 'alice', bigPush('A', 5_000)).then((r) => { order.push('big'); return r; });
    await until(() => storedCount(reader, 'alice') > 0, 'the first chunk');
    const other = post(server.url, 'bob', { clientId: 'B', cursor: 0, messages: [msg('B', 'b1', 'hi')] }).then((r) => { order.push('bob'); return r; });
    const same = post(server.url, 'alice', { clientId: 'A2', cursor: 0, messages: [msg('A2', 'a1', 'hi')] }).then((r) => { order.push('alice'); return r; });
    const [b, o, a] = await Promise.all([big, other, same]);
    expect(order).toEqual(['bob', 'big', 'alice']);
    expect([b.status, b.body.accepted, o.status, a.status]).toEqual([200, 5_000, 200, 200]);
    // The large push's ids are one run, the same user's small push came after them.
    const all = await server.pullAll('alice');
    expect(all.map((m) => m.id)).toEqual(Array.from({ length: 5001 }, (_, i) => i + 1));
    expect(all.at(-1)?.row).toBe('a1');
  });

  it('stores every one of many large pushes that wait, as bytes, for the ones ahead of them', async () => {
    s = await startTestServer({ env: { FIELDSYNC_MAX_INFLIGHT_PER_USER: '64' } });
    const server = s;
    // 8 pushes of 3 MB: more than PARSE_AHEAD_BYTES at once.
    const push = (i: number) => bigPush(`W${i}`, 900);
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => post(server.url, 'wait', push(i))));
    expect(answers.map((r) => [r.status, r.body.accepted])).toEqual(Array.from({ length: 8 }, () => [200, 900]));
    expect(await server.pullAll('wait')).toHaveLength(7200);
  });

  it('stores the rest of a push the server was killed in the middle of, each message once, when it is sent again', async () => {
    const dir = tempDir();
    try {
      const env = { FIELDSYNC_DATA_DIR: dir.path, FIELDSYNC_SECRET: SECRET, FIELDSYNC_BODY_LIMIT: '32MiB' };
      child = await spawnServer(env);
      db = new DatabaseSync(join(dir.path, SQLITE_FILE), { timeout: 10_000 }); // waits for the server's write lock
      const writer = db;
      const push = bigPush('K', 5_000);
      const sent = post(child.url, 'kim', push).catch((err: unknown) => err);
      await until(() => storedCount(writer, 'kim') > 0, 'the first chunk');
      // Hold the write lock, so that the server is stopped between two chunks, then kill it.
      writer.exec('BEGIN IMMEDIATE');
      const before = storedCount(writer, 'kim');
      child.child.kill('SIGKILL');
      await child.exited;
      writer.exec('ROLLBACK');
      expect(await sent).toBeInstanceOf(Error); // the client saw no answer
      expect(before).toBeGreaterThan(0);
      expect(before).toBeLessThan(5_000);

      child = await spawnServer(env);
      const again = await post(child.url, 'kim', push);
      expect(again.status).toBe(200);
      expect(again.body.accepted).toBe(5_000);
      const rows = writer.prepare('SELECT id, hlc FROM messages JOIN users USING (uid) WHERE users.name = ? ORDER BY id').all('kim') as { id: number; hlc: string }[];
      expect(rows).toHaveLength(5_000);
      expect(new Set(rows.map((r) => r.hlc))).toEqual(new Set(push.messages.map((m) => m.hlc)));
      expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    } finally {
      db?.close();
      db = undefined;
      child?.child.kill('SIGKILL');
      await child?.exited;
      child = undefined;
      dir.remove();
    }
  });
});
