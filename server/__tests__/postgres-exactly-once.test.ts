/**
 * The same messages pushed to several processes at the same moment (a client that retried on
 * another process while its first push was still running, or a load balancer that sent a
 * request twice) are stored once. Three stores, each with its own pool, stand for three
 * processes on one database. Each round sends one batch (first pushes of a user included: the
 * counter row is created by whichever comes first) to all three at once, and a random half of
 * it to each again, while a reader per user and process pages with limit 3.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from 'fieldsync';
import { formatHlc } from 'fieldsync/server';
import { seededRandom } from '../../test-support/seeded-random.ts';
import { createPostgresServerStore, type PostgresServerStore } from '../stores/postgres-server-store.ts';
import { createTestDatabase, type TestDatabase } from './helpers/postgres.ts';

const SEED = Number(process.env.FIELDSYNC_SEED ?? 20261257);
const ROUNDS = 40;
const USERS = ['u0', 'u1', 'u2'];

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe.each([false, true])('the same batch pushed to three processes at once (compaction %s)', (compaction) => {
  it(`is stored once, numbered without holes, and every reader sees each id once in order (seed ${SEED})`, async () => {
    const random = seededRandom(SEED);
    const prefix = compaction ? 'on-' : 'off-';
    const stores: PostgresServerStore[] = await Promise.all([0, 1, 2].map(() => createPostgresServerStore({ url: db.url, poolMax: 4, compaction })));
    try {
      const sent = new Map<string, Set<string>>(USERS.map((u) => [prefix + u, new Set()]));
      const storedSum = new Map<string, number>(USERS.map((u) => [prefix + u, 0]));
      let stop = false;
      const read = async (store: PostgresServerStore, user: string): Promise<number[]> => {
        const ids: number[] = [];
        let cursor = 0;
        for (let caughtUp = false; !caughtUp;) {
          const finalPass = stop; // one more full pass after the pushes ended
          const page = await store.pull(user, { cursor, limit: 3, excludeClientId: 'reader' });
          ids.push(...page.messages.map((m) => m.id));
          cursor = page.cursor;
          if (!page.more) {
            if (finalPass) caughtUp = true;
            else await new Promise((resolve) => setTimeout(resolve, 2));
          }
        }
        return ids;
      };
      const readers = USERS.flatMap((u) => stores.map((s) => read(s, prefix + u)));

      let n = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const user = prefix + (USERS[Math.floor(random() * USERS.length)] as string);
        const batch: Message[] = Array.from({ length: 1 + Math.floor(random() * 20) }, () => ({
          hlc: formatHlc({ millis: Date.UTC(2026, 0, 1) + ++n, counter: 0, clientId: `c${Math.floor(random() * 4)}` }),
          table: 't', row: `r${Math.floor(random() * 10)}`, column: 'c', value: n,
        }));
        for (const m of batch) sent.get(user)?.add(m.hlc);
        const halves = stores.map(() => batch.filter(() => random() < 0.5));
        const results = await Promise.all(stores.flatMap((s, i) => [s.push(user, batch), ...((halves[i] as Message[]).length > 0 ? [s.push(user, halves[i] as Message[])] : [])]));
        storedSum.set(user, (storedSum.get(user) ?? 0) + results.reduce((sum, r) => sum + r.stored, 0));
      }
      stop = true;
      const seen = await Promise.all(readers);

      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        for (const [u, hlcs] of sent) {
          const { rows } = await c.query<{ id: number; hlc: string }>('SELECT id::int, hlc FROM fieldsync_messages WHERE user_id = $1 ORDER BY id', [u]);
          const lastId = (await c.query<{ last_id: number }>('SELECT last_id::int FROM fieldsync_users WHERE user_id = $1', [u])).rows[0]?.last_id ?? 0;
          // Each sent hlc got exactly one id: the stores' `stored` counts add up to the distinct hlcs.
          expect(storedSum.get(u)).toBe(hlcs.size);
          expect(lastId).toBe(hlcs.size);
          expect(new Set(rows.map((r) => r.hlc)).size).toBe(rows.length);
          if (!compaction) expect(rows.map((r) => r.id)).toEqual(rows.map((_, i) => i + 1));
          const survivors = rows.map((r) => r.id);
          for (const [i, ids] of seen.entries()) {
            if (USERS[Math.floor(i / stores.length)] !== u.slice(prefix.length)) continue;
            expect(ids.filter((id, k) => k > 0 && id <= (ids[k - 1] as number)), `${u}: reader ${i} out of order or twice`).toEqual([]);
            expect(survivors.filter((id) => !ids.includes(id)), `${u}: reader ${i} never saw`).toEqual([]);
          }
        }
      } finally {
        await c.end();
      }
    } finally {
      for (const s of stores) await s.close();
    }
  }, 120_000);
});
