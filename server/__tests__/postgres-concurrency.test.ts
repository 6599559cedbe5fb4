/**
 * docs/protocol.md §4 under concurrency, on a real PostgreSQL server: once a reader has seen id n,
 * no id <= n may appear later, however many transactions write for one user at once.
 *
 * The first case shows why this needs care: with ids from a plain `bigserial`, a writer
 * can take id 1, another take id 2 and commit first, a reader see 2 and move its cursor
 * past 1, and id 1 become visible afterwards, behind the cursor: skipped for good. The
 * store instead numbers a user's messages under the user's counter-row lock, so the next
 * writer numbers after the previous one has committed (docs/postgres.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellKey, type Message } from 'fieldsync';
import { formatHlc, type ServerMessage } from 'fieldsync/server';
import { toErrorReply } from '../errors.ts';
import { createPostgresServerStore } from '../stores/postgres-server-store.ts';
import { connectClient, createTestDatabase, untilQuery, type TestDatabase } from './helpers/postgres.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const BASE = Date.UTC(2026, 10, 24, 15, 0, 0);
const msg = (millis: number, clientId: string, row: string, value: Message['value'], counter = 0): Message => ({
  hlc: formatHlc({ millis: BASE + millis, counter, clientId }), table: 'notes', row, column: 'title', value,
});

/** Holds `userId`'s counter-row lock on `client` in a transaction left open, as a push of another process does until it commits. */
async function holdCounterLock(client: Awaited<ReturnType<typeof connectClient>>, userId: string): Promise<void> {
  await client.query('BEGIN');
  await client.query('SELECT last_id FROM fieldsync_users WHERE user_id = $1 FOR UPDATE', [userId]);
}

/** How many connections of `applicationName` wait for a lock (pg_stat_activity), asked on `client`. */
async function waitingForLock(client: Awaited<ReturnType<typeof connectClient>>, applicationName: string): Promise<number> {
  const { rows } = await client.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [applicationName],
  );
  return (rows[0] as { n: number }).n;
}

describe('ids become visible in id order', () => {
  it('negative experiment: a plain bigserial lets a reader skip a message for good', async () => {
    const [t1, t2, reader] = await Promise.all([connectClient(db.url), connectClient(db.url), connectClient(db.url)]);
    try {
      await reader.query('CREATE TABLE naive (id bigserial PRIMARY KEY, user_id text NOT NULL, hlc text NOT NULL)');
      await t1.query('BEGIN');
      await t1.query(`INSERT INTO naive (user_id, hlc) VALUES ('u', 'first')`); // takes id 1
      await t2.query('BEGIN');
      await t2.query(`INSERT INTO naive (user_id, hlc) VALUES ('u', 'second')`); // takes id 2
      await t2.query('COMMIT'); // ... and commits first
      const page1 = await reader.query<{ id: string }>(`SELECT id FROM naive WHERE user_id = 'u' AND id > 0 ORDER BY id`);
      expect(page1.rows.map((r) => Number(r.id))).toEqual([2]);
      const cursor = 2; // the reader has seen id 2
      await t1.query('COMMIT'); // id 1 becomes visible now, behind the cursor
      const page2 = await reader.query<{ id: string }>(`SELECT id FROM naive WHERE user_id = 'u' AND id > $1 ORDER BY id`, [cursor]);
      expect(page2.rows).toEqual([]); // message 1 is never delivered to this reader
      const all = await reader.query(`SELECT id FROM naive WHERE user_id = 'u'`);
      expect(all.rows).toHaveLength(2);
    } finally {
      for (const c of [t1, t2, reader]) await c.end();
    }
  });

  it('the store: a push waits for the user\'s earlier push to commit before it numbers its messages', async () => {
    const store = await createPostgresServerStore({ url: db.url, poolMax: 4, applicationName: 'fieldsync-lock-test' });
    const holder = await connectClient(db.url);
    try {
      await store.push('locked', [msg(1, 'A', 'r1', 'first')]);
      // A push in flight: it holds the counter row's lock, as a push does until it commits.
      await holdCounterLock(holder, 'locked');
      let done = false;
      const second = store.push('locked', [msg(2, 'B', 'r2', 'second')]).then((r) => {
        done = true;
        return r;
      });
      // The second push is blocked on the lock (seen in pg_stat_activity), not numbering yet.
      await untilQuery(async () => (await waitingForLock(holder, 'fieldsync-lock-test')) === 1, 'the second push to wait for the lock');
      expect(done).toBe(false);
      const before = await store.pull('locked', { cursor: 0, limit: 10, excludeClientId: 'x' });
      expect([before.messages.map((m) => m.id), before.cursor]).toEqual([[1], 1]);
      await holder.query('COMMIT');
      expect((await second).maxId).toBe(2);
      const after = await store.pull('locked', { cursor: before.cursor, limit: 10, excludeClientId: 'x' });
      expect(after.messages.map((m) => [m.id, m.value])).toEqual([[2, 'second']]);
    } finally {
      await holder.end();
      await store.close();
    }
  });

  it('renewing an epoch another process renews at the same time answers the epoch that process set (round 51)', async () => {
    // Both found the log restored (their cursors past its end) and renew the same epoch. This
    // one's update waits for the other's to commit, then matches nothing: the epoch it answers
    // must be the other's, not the one replaced, or its client keeps the dead epoch.
    const store = await createPostgresServerStore({ url: db.url, poolMax: 2, applicationName: 'fieldsync-renew-test' });
    const other = await connectClient(db.url);
    try {
      await store.push('renewing', [msg(1, 'A', 'r1', 'x')]);
      const { epoch } = await store.pull('renewing', { cursor: 0, limit: 1, excludeClientId: 'x' });
      await other.query('BEGIN');
      await other.query(`UPDATE fieldsync_users SET epoch = 'feedfacefeedface' WHERE user_id = 'renewing' AND epoch = $1`, [epoch]);
      const renewing = store.renewEpoch('renewing', epoch);
      await untilQuery(async () => (await waitingForLock(other, 'fieldsync-renew-test')) === 1, 'the renewal to wait for the other one');
      await other.query('COMMIT');
      expect(await renewing).toBe('feedfacefeedface');
      expect((await store.pull('renewing', { cursor: 0, limit: 1, excludeClientId: 'x' })).epoch).toBe('feedfacefeedface');
    } finally {
      await other.end();
      await store.close();
    }
  });

  it('a push the database cancels at its statement_timeout (waiting for a lock) is answered 503 unavailable, not 500 (round 51)', async () => {
    const store = await createPostgresServerStore({ url: db.url, poolMax: 1, statementTimeoutMs: 300, applicationName: 'fieldsync-cancel-test' });
    const holder = await connectClient(db.url);
    try {
      await store.push('cancelled', [msg(1, 'A', 'r1', 'first')]);
      await holdCounterLock(holder, 'cancelled');
      const err = await store.push('cancelled', [msg(2, 'A', 'r2', 'second')]).then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ code: '57014' }); // the premise: the database's own cancel
      const reply = toErrorReply(err);
      expect([reply.status, reply.body.error.code, reply.headers]).toEqual([503, 'unavailable', { 'Retry-After': '2' }]);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
      await store.close();
    }
  });

  it('a burst of one user\'s pushes takes one connection of the pool, not all of them', async () => {
    // Two connections; a push of "busy" is stuck on its lock (held here, as a push of another
    // process would). Four more pushes of "busy" queue in memory, not on connections, so
    // another user's push still gets the second connection at once.
    const store = await createPostgresServerStore({ url: db.url, poolMax: 2, connectionTimeoutMs: 5000, applicationName: 'fieldsync-burst-test' });
    const holder = await connectClient(db.url);
    try {
      await store.push('busy', [msg(1, 'A', 'r0', 0)]);
      await holdCounterLock(holder, 'busy');
      const burst = Array.from({ length: 5 }, (_, i) => store.push('busy', [msg(10 + i, 'A', `r${i + 1}`, i + 1)]));
      await untilQuery(async () => (await waitingForLock(holder, 'fieldsync-burst-test')) === 1, 'one push of the burst to wait for the lock');
      expect((await store.push('quiet', [msg(1, 'B', 'r', 'not stuck')])).stored).toBe(1);
      expect(await waitingForLock(holder, 'fieldsync-burst-test')).toBe(1); // still one waiter: the others queue in memory
      await holder.query('COMMIT');
      const results = await Promise.all(burst);
      expect(results.map((r) => r.maxId)).toEqual([2, 3, 4, 5, 6]); // in the order they were made
    } finally {
      await holder.end();
      await store.close();
    }
  });

  for (const compaction of [false, true]) {
    it(`many concurrent pushes for one user while two readers page with limit 7: each surviving message seen once, in id order (compaction ${compaction ? 'on' : 'off'})`, async () => {
      const user = `torture-${compaction}`;
      // Writers and readers on separate pools, so that readers are never starved of connections.
      const writers = await createPostgresServerStore({ url: db.url, compaction, poolMax: 16 });
      const readers = await createPostgresServerStore({ url: db.url, compaction, poolMax: 2 });
      try {
        const WRITERS = 20;
        const PUSHES = 12;
        const pushed: Message[] = [];
        let writing = true;
        const write = async (w: number): Promise<void> => {
          const clientId = `W${w}`;
          for (let k = 0; k < PUSHES; k++) {
            const size = 1 + ((w * 7 + k * 3) % 15);
            // With compaction, writers share 10 rows and overwrite one another's cells.
            const batch = Array.from({ length: size }, (_, j) =>
              msg(k * 1000 + j * 10 + w, clientId, compaction ? `r${(w + j) % 10}` : `${clientId}-${k}-${j}`, `${clientId}/${k}/${j}`));
            pushed.push(...batch);
            await writers.push(user, batch);
            if (k % 4 === 3) await writers.push(user, batch.slice(0, 2)); // a re-push changes nothing
          }
        };
        const read = async (excludeClientId: string): Promise<ServerMessage[]> => {
          const seen: ServerMessage[] = [];
          let cursor = 0;
          for (;;) {
            const quiet = !writing; // read before the pull: the final pull starts after every write
            const page = await readers.pull(user, { cursor, limit: 7, excludeClientId });
            expect(page.messages.length).toBeLessThanOrEqual(7);
            for (const m of page.messages) {
              const last = seen[seen.length - 1];
              if (last && m.id <= last.id) throw new Error(`reader ${excludeClientId}: id ${m.id} after ${last.id}`);
              if (m.id <= cursor) throw new Error(`reader ${excludeClientId}: id ${m.id} at or behind its cursor ${cursor}`);
              seen.push(m);
            }
            expect(page.cursor).toBeGreaterThanOrEqual(cursor);
            cursor = page.cursor;
            if (quiet && !page.more) return seen;
          }
        };
        const reading = [read('reader'), read('W3')];
        await Promise.all(Array.from({ length: WRITERS }, (_, w) => write(w)));
        writing = false;
        const [all, withoutW3] = await Promise.all(reading) as [ServerMessage[], ServerMessage[]];

        // What the store holds in the end, read in one go.
        const final = (await readers.pull(user, { cursor: 0, limit: 5000, excludeClientId: 'nobody' })).messages;
        const model = new Map<string, Message>(); // per cell, the greatest hlc pushed
        for (const m of pushed) {
          const k = cellKey(m.table, m.row, m.column);
          if (!model.has(k) || (model.get(k) as Message).hlc < m.hlc) model.set(k, m);
        }
        const surviving = compaction ? [...model.values()] : pushed;
        expect(final.map((m) => m.hlc).sort()).toEqual(surviving.map((m) => m.hlc).sort());
        expect(new Set(final.map((m) => m.id)).size).toBe(final.length);

        for (const [seen, excluded] of [[all, 'reader'], [withoutW3, 'W3']] as const) {
          const hlcs = seen.map((m) => m.hlc);
          expect(new Set(hlcs).size).toBe(hlcs.length); // nothing twice
          expect(seen.some((m) => m.hlc.endsWith(`-${excluded}`))).toBe(false);
          const seenSet = new Set(hlcs);
          const missed = surviving.filter((m) => !m.hlc.endsWith(`-${excluded}`) && !seenSet.has(m.hlc));
          expect(missed).toEqual([]); // every surviving message reached the reader
          if (!compaction) expect(seen.length).toBe(pushed.filter((m) => !m.hlc.endsWith(`-${excluded}`)).length);
          // The reader's replica (greatest hlc seen per cell) equals the model.
          const replica = new Map<string, string>();
          for (const m of seen) {
            const k = cellKey(m.table, m.row, m.column);
            if ((replica.get(k) ?? '') < m.hlc) replica.set(k, m.hlc);
          }
          for (const [k, m] of model) if (!m.hlc.endsWith(`-${excluded}`)) expect(replica.get(k), k).toBe(m.hlc);
        }
      } finally {
        await writers.close();
        await readers.close();
      }
    }, 120_000);
  }
});
