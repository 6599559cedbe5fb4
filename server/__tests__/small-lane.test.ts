/**
 * Issue 12, small lane, as behaviour over real HTTP with the SQLite store the server opens:
 * while small requests are about, a large push is committed in chunks
 * (stores/chunked-push.ts), so a small sync of another user that arrives meanwhile is
 * answered before it, while one of the same user waits for it
 * (its ids stay one run); and a server killed in the middle of a chunked push, then started
 * again, stores the rest of that push once when the client sends it again. The latencies
 * are in `npm run bench` (workload 8, big-pushes).
 */
import { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
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

const post = async (url: string, user: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
  const res = await fetch(`${url}/v1/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await signToken({ sub: user })}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/**
 * Small syncs of `user` every 50 ms, each pushing one message, as on a server with other
 * users about; stopping says how each ended. `first` resolves once the server has answered
 * one: only then does it chunk a large push (it chunks while small requests for the writer
 * are about; a pull-only one goes to the pull thread, stores/pull-worker.ts), so a test
 * awaits it before pushing.
 */
function smallTraffic(url: string, user: string): (() => Promise<string[]>) & { readonly first: Promise<void> } {
  let stopped = false;
  const ended: string[] = [];
  let answered = (): void => {};
  const first = new Promise<void>((resolve) => (answered = resolve));
  const loop = (async () => {
    for (let n = 0; !stopped; n++) {
      const body = { clientId: 'C', cursor: 0, limit: 1, messages: [msg('C', `c${n}`, `${n}`)] };
      ended.push(await post(url, user, body).then((r) => String(r.status), () => 'network error'));
      answered();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return Object.assign(async () => {
    stopped = true;
    await loop;
    return ended;
  }, { first });
}

/**
 * In a thread of its own (the test's event loop is busy sending 16 MB), watches the database
 * without pause until `user` has a message stored; with `hold`, it then takes the write lock,
 * so that the server stops before its next chunk. Resolves with the count it saw (under the
 * lock); `release` gives the lock back.
 */
const LOCKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(workerData.file, { timeout: 10000 });
const count = db.prepare('SELECT count(*) AS n FROM messages JOIN users USING (uid) WHERE users.name = ?');
const end = Date.now() + 20000;
while (Date.now() < end && Number(count.get(workerData.user)?.n ?? 0) === 0);
if (workerData.hold) {
  // Tried again at once, not through SQLite's busy handler: that sleeps longer after each
  // try, and a server committing chunk after chunk took the lock back in every gap.
  db.exec('PRAGMA busy_timeout = 0');
  for (;;) {
    try {
      db.exec('BEGIN IMMEDIATE');
      break;
    } catch (err) {
      if (Date.now() > end) throw err;
    }
  }
}
parentPort.postMessage(Number(count.get(workerData.user)?.n ?? 0));
parentPort.once('message', () => { if (workerData.hold) db.exec('ROLLBACK'); db.close(); parentPort.postMessage('released'); });
`;

function afterFirstChunk(file: string, user: string, hold: boolean): { locked: Promise<number>; release(): Promise<void> } {
  const worker = new Worker(LOCKER, { eval: true, workerData: { file, user, hold } });
  const locked = new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    locked,
    async release() {
      const released = new Promise((resolve) => worker.once('message', resolve));
      worker.postMessage('release');
      await released;
      await worker.terminate();
    },
  };
}

/** Where a large body is parsed: FIELDSYNC_PARSE_WORKERS, and its name in a test's title. */
const PARSE_MODES = [
  ['parsed in a parse worker', '1'],
  ['parsed in the store\'s thread (--parse-workers 0)', '0'],
] as const;

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

  it.each(PARSE_MODES)('answers a small sync of another user before a large push that was already being committed (%s); the same user\'s waits for it', async (_, workers) => {
    s = await startTestServer({ env: { FIELDSYNC_BODY_LIMIT: '32MiB', FIELDSYNC_PARSE_WORKERS: workers } });
    const server = s;
    const order: string[] = [];
    // Small requests are about (a push is chunked only then: stores/chunked-push.ts).
    const stopTraffic = smallTraffic(server.url, 'carol');
    await stopTraffic.first;
    // After the first chunk, the write lock is held for a moment, so that the two small
    // syncs are surely waiting in the store's thread before the second chunk is committed.
    const first = afterFirstChunk(join(server.dataDir, SQLITE_FILE), 'alice', true);
    const big = post(server.url, 'alice', bigPush('A', 5_000)).then((r) => { order.push('big'); return r; });
    expect(await first.locked).toBeLessThan(5_000);
    const other = post(server.url, 'bob', { clientId: 'B', cursor: 0, messages: [msg('B', 'b1', 'hi')] }).then((r) => { order.push('bob'); return r; });
    const same = post(server.url, 'alice', { clientId: 'A2', cursor: 0, messages: [msg('A2', 'a1', 'hi')] }).then((r) => { order.push('alice'); return r; });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await first.release();
    const [b, o, a] = await Promise.all([big, other, same]);
    expect(new Set(await stopTraffic())).toEqual(new Set(['200']));
    expect(order).toEqual(['bob', 'big', 'alice']);
    expect([b.status, b.body.accepted, o.status, a.status]).toEqual([200, 5_000, 200, 200]);
    // The large push's ids are one run, the same user's small push came after them.
    const all = await server.pullAll('alice');
    expect(all.map((m) => m.id)).toEqual(Array.from({ length: 5001 }, (_, i) => i + 1));
    expect(all.at(-1)?.row).toBe('a1');
  });

  it.each(PARSE_MODES)('chunks a large push whose request came within a second of a small one, however long its body then took (%s)', async (_, workers) => {
    s = await startTestServer({ env: { FIELDSYNC_BODY_LIMIT: '32MiB', FIELDSYNC_PARSE_WORKERS: workers } });
    const server = s;
    const stopTraffic = smallTraffic(server.url, 'carol');
    await stopTraffic.first;
    expect(new Set(await stopTraffic())).toEqual(new Set(['200'])); // the last small request, then none
    // The body arrives in two halves 1.5 s apart: the push reaches the writer more than a
    // second after the last small request, though its request came right after it. The
    // server's own time (reading, parsing) does not end "small requests are about".
    const text = Buffer.from(JSON.stringify(bigPush('A', 5_000)));
    const half = Math.floor(text.length / 2);
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(text.subarray(0, half));
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        controller.enqueue(text.subarray(half));
        controller.close();
      },
    });
    const first = afterFirstChunk(join(server.dataDir, SQLITE_FILE), 'alice', true);
    const big = fetch(`${server.url}/v1/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await signToken({ sub: 'alice' })}` },
      body,
      duplex: 'half',
    } as RequestInit);
    const seen = await first.locked;
    await first.release();
    const answer = await big;
    expect([answer.status, ((await answer.json()) as { accepted: number }).accepted]).toEqual([200, 5_000]);
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(5_000); // chunked: stopped between two of its transactions
    const all = await server.pullAll('alice');
    expect(all.map((m) => m.id)).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
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

  /**
   * One try at killing the server between two chunks of a push, then sending the push again.
   * False when the server stored the whole push before the locker could stop it between two
   * chunks (on a busy machine: the small lane's window closed, or the push's last chunks came
   * back to back), which proves nothing either way.
   */
  async function killMidPushAndResend(user: string): Promise<boolean> {
    const dir = tempDir();
    try {
      const env = { FIELDSYNC_DATA_DIR: dir.path, FIELDSYNC_SECRET: SECRET, FIELDSYNC_BODY_LIMIT: '32MiB' };
      child = await spawnServer(env);
      const file = join(dir.path, SQLITE_FILE);
      const push = bigPush('K', 5_000);
      const stopTraffic = smallTraffic(child.url, 'carol'); // small requests are about
      await stopTraffic.first;
      const lock = afterFirstChunk(file, user, true);
      const sent = post(child.url, user, push).catch((err: unknown) => err);
      // The server is stopped between two chunks, holding a part of the push; then killed.
      const before = await lock.locked;
      child.child.kill('SIGKILL');
      await child.exited;
      await lock.release();
      await stopTraffic(); // its last request may have failed with the server
      const answer = await sent;
      if (before === 5_000) return false;
      expect(answer).toBeInstanceOf(Error); // the client saw no answer
      expect(before).toBeGreaterThan(0);

      child = await spawnServer(env);
      const again = await post(child.url, user, push);
      expect(again.status).toBe(200);
      expect(again.body.accepted).toBe(5_000);
      db = new DatabaseSync(file);
      const rows = db.prepare('SELECT id, hlc FROM messages JOIN users USING (uid) WHERE users.name = ? ORDER BY id').all(user) as { id: number; hlc: string }[];
      expect(rows).toHaveLength(5_000);
      expect(new Set(rows.map((r) => r.hlc))).toEqual(new Set(push.messages.map((m) => m.hlc)));
      expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
      return true;
    } finally {
      db?.close();
      db = undefined;
      child?.child.kill('SIGKILL');
      await child?.exited;
      child = undefined;
      dir.remove();
    }
  }

  it('stores the rest of a push the server was killed in the middle of, each message once, when it is sent again', async () => {
    // A try that could not kill the server mid-push is tried again, and three such fail.
    for (let attempt = 1; !(await killMidPushAndResend(`kim${attempt}`)); attempt++) {
      if (attempt === 3) throw new Error('three tries: each time the server stored the whole push before it could be stopped between two chunks');
    }
  });
});
