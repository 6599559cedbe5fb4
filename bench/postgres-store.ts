/**
 * Push throughput of the PostgreSQL store, without HTTP: batches of 1000 messages for one
 * user, then for several users at once.
 *
 *   node bench/postgres-store.ts                 embedded PostgreSQL (fsync off: a test server)
 *   FIELDSYNC_BENCH_DATABASE_URL=postgres://... node bench/postgres-store.ts
 */
import type { Message } from 'fieldsync';
import { formatHlc } from 'fieldsync/server';
import { createPostgresServerStore } from '../server/stores/postgres-server-store.ts';
import { benchDatabase } from './lib/postgres.ts';

const BATCH = 1000;
const BATCHES = Number(process.env.FIELDSYNC_BENCH_BATCHES ?? 40);
// NaN or 0 batches printed NaN and Infinity messages/s as if measured; at least one batch per user.
if (!Number.isSafeInteger(BATCHES) || BATCHES < 4) {
  throw new RangeError(`FIELDSYNC_BENCH_BATCHES must be an integer of at least 4 (one batch for each of 4 users), got ${JSON.stringify(process.env.FIELDSYNC_BENCH_BATCHES)}`);
}
const database = await benchDatabase('fs_bench', { durable: false });

const batch = (user: number, k: number, rows: number): Message[] => Array.from({ length: BATCH }, (_, i) => ({
  hlc: formatHlc({ millis: Date.UTC(2026, 0, 1) + k * BATCH + i, counter: 0, clientId: `c${user}` }),
  table: 'todos', row: `row-${(k * BATCH + i) % rows}`, column: 'title', value: { text: `value ${k}/${i}`, n: i },
}));

try {
  for (const compaction of [true, false]) {
    const store = await createPostgresServerStore({ url: database.url, compaction, poolMax: 8 });
    await store.pool.query('TRUNCATE fieldsync_messages, fieldsync_users');
    let t = performance.now();
    for (let k = 0; k < BATCHES; k++) await store.push('one-user', batch(0, k, 20_000));
    const one = (BATCHES * BATCH) / ((performance.now() - t) / 1000);
    t = performance.now();
    const USERS = 4;
    await Promise.all(Array.from({ length: USERS }, async (_, u) => {
      for (let k = 0; k < BATCHES / USERS; k++) await store.push(`user-${u}`, batch(u, k, 20_000));
    }));
    const many = (BATCHES * BATCH) / ((performance.now() - t) / 1000);
    t = performance.now();
    let pulled = 0;
    for (let cursor = 0; ;) {
      const page = await store.pull('one-user', { cursor, limit: 1000, excludeClientId: 'x' });
      pulled += page.messages.length;
      cursor = page.cursor;
      if (!page.more) break;
    }
    const pull = pulled / ((performance.now() - t) / 1000);
    console.log(`compaction ${compaction ? 'on ' : 'off'}: push ${Math.round(one)} msg/s (one user, sequential), ${Math.round(many)} msg/s (4 users at once); pull ${Math.round(pull)} msg/s`);
    await store.close();
  }
} finally {
  await database.drop();
}
