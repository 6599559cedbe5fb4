/**
 * After the poke bus loses its listening connection and gets it back, it pokes every local
 * stream with its user's greatest id (the notifications sent meanwhile are lost). That
 * catch-up is one query on the pool, and a query can fail right then: the database went away
 * again, or the pool had no free connection within its 10 s. Until round 57 a failed catch-up
 * was logged and given up: the streams never got the pokes of the outage, and their clients
 * saw those pushes only at their next scheduled sync. Now it is tried again after a back-off.
 *
 * The failure is injected into the bus's pool (its `query`, for the catch-up's statement
 * only, twice), since a real one would have to land between the LISTEN and the next query.
 */
import type { Pool } from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatHlc } from 'fieldsync/server';
import type { PokeEvent } from '../poke-bus.ts';
import { createPostgresPokeBus, type PostgresPokeBus } from '../postgres-poke-bus.ts';
import { createPostgresPool, createPostgresServerStore, type PostgresServerStore } from '../stores/postgres-server-store.ts';
import { createTestDatabase, untilQuery, type TestDatabase } from './helpers/postgres.ts';

let db: TestDatabase;
let store: PostgresServerStore;
let pool: Pool;
let bus: PostgresPokeBus;
const errors: string[] = [];
let catchUpFailuresLeft = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  store = await createPostgresServerStore({ url: db.url, poolMax: 2 });
  pool = createPostgresPool({ url: db.url, poolMax: 2, applicationName: 'catch-up' });
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  // The catch-up's statement fails while catchUpFailuresLeft > 0, as a connection that ended does.
  (pool as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args) => {
    if (typeof args[0] === 'string' && args[0].includes('FROM fieldsync_users') && catchUpFailuresLeft > 0) {
      catchUpFailuresLeft--;
      return Promise.reject(new Error('Connection terminated unexpectedly'));
    }
    return query(...args);
  };
  bus = await createPostgresPokeBus({ pool, reconnectMinMs: 50, reconnectMaxMs: 200, onError: (e, what) => errors.push(`${what}: ${String(e)}`) });
});
afterAll(async () => {
  await bus?.close();
  await pool?.end();
  await store?.close();
  await db?.drop();
});

it('a catch-up that fails after the listening connection came back is tried again: the streams get the pokes they missed', async () => {
  const pokes: PokeEvent[] = [];
  const stop = bus.subscribe('dave', (e) => pokes.push(e));
  try {
    // While the bus is not listening, dave's push (on another process) notifies no one here.
    catchUpFailuresLeft = 2;
    const killed = await store.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'catch-up-listen'`);
    expect(killed.rows).toHaveLength(1);
    await untilQuery(async () => !bus.listening, 'the bus to notice');
    const hlc = formatHlc({ millis: Date.UTC(2026, 0, 1), counter: 0, clientId: 'W' });
    const { maxId } = await store.push('dave', [{ hlc, table: 't', row: 'r', column: 'c', value: 1 }]);

    await untilQuery(async () => bus.listening, 'the bus to listen again');
    await untilQuery(async () => pokes.length > 0, 'the catch-up poke', 5_000);
    expect(pokes).toEqual([{ fromClientId: '', cursor: maxId }]);
    expect(catchUpFailuresLeft).toBe(0);
    expect(errors.filter((e) => e.startsWith('catching up after reconnecting failed'))).toHaveLength(2);
  } finally {
    stop();
  }
}, 20_000);
