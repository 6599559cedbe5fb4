import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError, type Message } from 'fieldsync';
import { formatHlc } from 'fieldsync/server';
import { serverStoreConformance, type ServerStoreHarness } from 'fieldsync/testing';
import { migratePostgres, POSTGRES_SCHEMA_VERSION, PostgresSchemaError } from '../stores/postgres-schema.ts';
import { createPostgresPool, createPostgresServerStore, type PostgresServerStore } from '../stores/postgres-server-store.ts';
import { createTestDatabase, type TestDatabase } from './helpers/postgres.ts';

/** Each case gets its own database; `reopen` closes the store's pool and opens a new one on it. */
async function harness(db: TestDatabase, compaction: boolean): Promise<ServerStoreHarness> {
  const store = await createPostgresServerStore({ url: db.url, compaction, poolMax: 4 });
  return {
    store,
    async reopen() {
      await store.close();
      return harness(db, compaction);
    },
    async dispose() {
      await store.close();
      await db.drop();
    },
  };
}

for (const compaction of [true, false]) {
  describe(`PostgreSQL server store conformance (compaction ${compaction ? 'on' : 'off'})`, () => {
    for (const c of serverStoreConformance(async () => harness(await createTestDatabase(), compaction), { compaction })) {
      it.skipIf(c.skip !== undefined)(c.skip ? `${c.name} (skipped: ${c.skip})` : c.name, c.run);
    }
  });
}

const BASE = Date.UTC(2026, 10, 24, 15, 0, 0);
const m = (n: number, clientId: string, row: string, value: Message['value'], column = 'title'): Message => ({
  hlc: formatHlc({ millis: BASE + n, counter: 0, clientId }), table: 'notes', row, column, value,
});

describe('PostgreSQL server store specifics', () => {
  let db: TestDatabase;
  const stores: PostgresServerStore[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await db.drop();
  });
  const open = async (options: { compaction?: boolean; maxScanRows?: number; maxPageBytes?: number } = {}): Promise<PostgresServerStore> => {
    const s = await createPostgresServerStore({ url: db.url, poolMax: 4, ...options });
    stores.push(s);
    return s;
  };

  it('migrates once, even when several processes start at once, and refuses a newer schema', async () => {
    const pools = Array.from({ length: 4 }, () => createPostgresPool({ url: db.url, poolMax: 1 }));
    try {
      const results = await Promise.all(pools.map((p) => migratePostgres(p)));
      expect(results.filter((r) => r.from === 0)).toHaveLength(1); // exactly one process created the schema
      expect(results.every((r) => r.to === POSTGRES_SCHEMA_VERSION)).toBe(true);
      const again = await migratePostgres(pools[0] as never);
      expect(again).toEqual({ from: POSTGRES_SCHEMA_VERSION, to: POSTGRES_SCHEMA_VERSION });
      const other = await createTestDatabase();
      const pool = createPostgresPool({ url: other.url, poolMax: 1 });
      try {
        await migratePostgres(pool);
        await pool.query('INSERT INTO fieldsync_schema (version) VALUES ($1)', [POSTGRES_SCHEMA_VERSION + 1]);
        await expect(migratePostgres(pool)).rejects.toBeInstanceOf(PostgresSchemaError);
      } finally {
        await pool.end();
        await other.drop();
      }
    } finally {
      for (const p of pools) await p.end();
    }
  });

  it('a database of schema version 1 (before epochs) gets an epoch for each user, and keeps its messages', async () => {
    const other = await createTestDatabase();
    const pool = createPostgresPool({ url: other.url, poolMax: 1 });
    try {
      await migratePostgres(pool);
      // Back to version 1: the epoch column did not exist.
      await pool.query('ALTER TABLE fieldsync_users DROP COLUMN epoch');
      await pool.query('DELETE FROM fieldsync_schema WHERE version > 1');
      await pool.query("INSERT INTO fieldsync_users (user_id, last_id) VALUES ('u', 1), ('w', 0)");
      await pool.query(`INSERT INTO fieldsync_messages (user_id, id, hlc, tbl, row_id, col, value, client_id) VALUES ('u', 1, $1, 'notes', 'r', 'title', '"old"', 'A')`, [m(1, 'A', 'r', 'old').hlc]);
      expect(await migratePostgres(pool)).toEqual({ from: 1, to: POSTGRES_SCHEMA_VERSION });
      const s = await createPostgresServerStore({ pool, migrate: false });
      const page = await s.pull('u', { cursor: 0, limit: 10, excludeClientId: 'B' });
      expect(page).toMatchObject({ lastId: 1, more: false, messages: [{ id: 1, value: 'old' }] });
      expect(page.epoch).toMatch(/^[0-9a-f]{16}$/);
      expect((await s.pull('w', { cursor: 0, limit: 10, excludeClientId: 'B' })).epoch).not.toBe(page.epoch);
      await s.close();
    } finally {
      await pool.end();
      await other.drop();
    }
  });

  it('close() is final and may be called twice: every call after it is a StoreError', async () => {
    const store = await open();
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
    const closed = expect.objectContaining({ name: 'StoreError', message: 'the PostgreSQL store is closed' });
    await expect(store.push('u', [])).rejects.toThrow(closed);
    await expect(store.pull('u', { cursor: 0, limit: 10, excludeClientId: 'A' })).rejects.toBeInstanceOf(StoreError);
    await expect(store.renewEpoch('u', '')).rejects.toBeInstanceOf(StoreError);
  });

  it('orders hlcs by code unit, whatever the database collation', async () => {
    // In most locales "a" < "B"; by code unit "B" (0x42) < "a" (0x61). The clientId decides ties.
    const s = await open({ compaction: true });
    const at = (clientId: string): Message => ({ hlc: formatHlc({ millis: BASE, counter: 0, clientId }), table: 'notes', row: 'coll', column: 'title', value: clientId });
    await s.push('collation', [at('a')]);
    await s.push('collation', [at('B')]); // loses to "a" by code unit
    const page = await s.pull('collation', { cursor: 0, limit: 10, excludeClientId: 'x' });
    expect(page.messages.map((x) => x.value)).toEqual(['a']);
  });

  it('switching compaction on over a database that ran without it keeps one winner per cell from then on', async () => {
    const off = await open({ compaction: false });
    await off.push('switch', [m(1, 'A', 'r', 'v1'), m(3, 'A', 'r', 'v3'), m(2, 'B', 'r', 'v2')]);
    const on = await open({ compaction: true });
    const late = await on.push('switch', [m(2, 'C', 'r', 'loses to v3')]);
    expect([late.accepted, late.stored]).toEqual([1, 0]);
    const win = await on.push('switch', [m(4, 'C', 'r', 'v4')]);
    expect(win.stored).toBe(1);
    const page = await on.pull('switch', { cursor: 0, limit: 10, excludeClientId: 'x' });
    expect(page.messages.map((x) => x.value)).toEqual(['v4']);
    // And back off: every message is kept again, next to the cell's winner.
    await off.push('switch', [m(5, 'A', 'r', 'v5'), m(0, 'B', 'r', 'v0')]);
    const all = await off.pull('switch', { cursor: 0, limit: 10, excludeClientId: 'x' });
    expect(all.messages.map((x) => x.value)).toEqual(['v4', 'v5', 'v0']);
  });

  it('with compaction, a batch that writes one cell several times keeps its greatest, numbered like the reference store', async () => {
    const s = await open({ compaction: true });
    await s.push('batch', [m(5, 'A', 'r', 'stored first')]);
    // 3 loses to the stored 5; 7 wins; 6 loses to 7; 9 wins; 8 loses: ids 2 and 3 are given, 3 survives.
    const r = await s.push('batch', [m(3, 'A', 'r', 'x3'), m(7, 'A', 'r', 'x7'), m(6, 'A', 'r', 'x6'), m(9, 'A', 'r', 'x9'), m(8, 'A', 'r', 'x8'), m(1, 'A', 'other', 'o')]);
    expect(r).toEqual({ accepted: 6, stored: 3, maxId: 4 });
    const page = await s.pull('batch', { cursor: 0, limit: 10, excludeClientId: 'x' });
    expect(page.messages.map((x) => [x.id, x.value])).toEqual([[3, 'x9'], [4, 'o']]);
    expect(page.cursor).toBe(4);
  });

  it('bounds the ids one pull steps over, and the bytes one page returns', async () => {
    const s = await open({ compaction: false, maxScanRows: 10, maxPageBytes: 100 });
    await s.push('scan', Array.from({ length: 25 }, (_, i) => m(i + 1, 'OWN', `r${i}`, i)));
    await s.push('scan', [m(100, 'OTHER', 'x', 'other')]);
    const seen: number[] = [];
    let cursor = 0;
    let pulls = 0;
    for (let more = true; more; pulls++) {
      const page = await s.pull('scan', { cursor, limit: 1000, excludeClientId: 'OWN' });
      seen.push(...page.messages.map((x) => x.id));
      expect(page.cursor).toBeGreaterThanOrEqual(cursor);
      cursor = page.cursor;
      more = page.more;
    }
    expect([seen, cursor, pulls]).toEqual([[26], 26, 3]);

    await s.push('bytes', Array.from({ length: 6 }, (_, i) => m(i + 1, 'A', `r${i}`, 'x'.repeat(40))));
    const p1 = await s.pull('bytes', { cursor: 0, limit: 1000, excludeClientId: 'B' });
    expect([p1.messages.length, p1.more, p1.cursor]).toEqual([3, true, 3]); // 42 + 42 < 100: a third one fits
    const big = await open({ compaction: false, maxPageBytes: 10 });
    await big.push('huge', [m(1, 'A', 'r', 'y'.repeat(1000)), m(2, 'A', 's', 'z')]);
    const p2 = await big.pull('huge', { cursor: 0, limit: 1000, excludeClientId: 'B' });
    expect([p2.messages.length, p2.more, p2.cursor]).toEqual([1, true, 1]); // always at least one
  });

  it('keeps strings PostgreSQL text cannot hold as such (U+0000, lone surrogates) exact, and any row id', async () => {
    const s = await open();
    const values = ['\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '😀', { '\u0000k': ['\ud83d'] }, '\\u0000', "'; DROP TABLE fieldsync_messages; --"];
    await s.push('strings', values.map((v, i) => m(i + 1, 'A', `row "${i}" \\ ' {}`, v, 'meta')));
    const page = await s.pull('strings', { cursor: 0, limit: 100, excludeClientId: 'x' });
    expect(page.messages.map((x) => x.value)).toEqual(values);
    expect(page.messages.map((x) => x.row)).toEqual(values.map((_, i) => `row "${i}" \\ ' {}`));
  });
});
