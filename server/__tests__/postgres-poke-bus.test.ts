/** The LISTEN/NOTIFY poke bus: pokes cross processes (here: two buses on separate pools). */
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHlc } from 'fieldsync/server';
import type { PokeEvent } from '../poke-bus.ts';
import { MAX_USER_ID_LENGTH } from '../auth.ts';
import { createPostgresPokeBus, MAX_PAYLOAD_BYTES, pokePayload, POKE_CHANNEL, type PostgresPokeBus } from '../postgres-poke-bus.ts';
import { createPostgresPool, createPostgresServerStore, type PostgresServerStore } from '../stores/postgres-server-store.ts';
import { createTestDatabase, type TestDatabase } from './helpers/postgres.ts';

let db: TestDatabase;
let poolA: Pool;
let poolB: Pool;
let busA: PostgresPokeBus;
let busB: PostgresPokeBus;
let store: PostgresServerStore;
const errors: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  poolA = createPostgresPool({ url: db.url, poolMax: 3, applicationName: 'bus-a' });
  poolB = createPostgresPool({ url: db.url, poolMax: 3, applicationName: 'bus-b' });
  store = await createPostgresServerStore({ pool: poolA });
  busA = await createPostgresPokeBus({ pool: poolA, onError: (e, what) => errors.push(`A: ${what}: ${String(e)}`) });
  busB = await createPostgresPokeBus({ pool: poolB, reconnectMinMs: 50, onError: (e, what) => errors.push(`B: ${what}: ${String(e)}`) });
});
afterAll(async () => {
  await busA?.close();
  await busB?.close();
  await store?.close();
  await poolA?.end();
  await poolB?.end();
  await db?.drop();
});

/** The next poke a subscription of `userId` on `bus` receives that satisfies `match`. */
function nextPoke(bus: PostgresPokeBus, userId: string, match: (e: PokeEvent) => boolean = () => true, timeoutMs = 10_000): Promise<PokeEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no poke for ${userId.slice(0, 40)} within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = bus.subscribe(userId, (e) => {
      if (!match(e)) return;
      clearTimeout(timer);
      stop();
      resolve(e);
    });
  });
}

async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('PostgreSQL poke bus', () => {
  it('a publish on one process reaches the subscribers of every process, its own included', async () => {
    const onB = nextPoke(busB, 'alice');
    const onA = nextPoke(busA, 'alice');
    busA.publish('alice', 'client1', 42);
    expect(await onB).toEqual({ fromClientId: 'client1', cursor: 42 });
    expect(await onA).toEqual({ fromClientId: 'client1', cursor: 42 });
  });

  it('user ids travel safely: quotes, Unicode, and the longest id the server accepts, escaped at its longest', async () => {
    const tricky = `o'brien"; NOTIFY x; -- \u{1F600} \\`;
    const long = '\u0001'.repeat(MAX_USER_ID_LENGTH); // each character escaped to 6 bytes of JSON
    expect(Buffer.byteLength(pokePayload(long, 'x'.repeat(64), Number.MAX_SAFE_INTEGER))).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    const [t, l] = [nextPoke(busB, tricky), nextPoke(busB, long)];
    busA.publish(tricky, 'c1', 1);
    busA.publish(long, 'c2', 2);
    expect(await t).toEqual({ fromClientId: 'c1', cursor: 1 });
    expect(await l).toEqual({ fromClientId: 'c2', cursor: 2 });
  });

  it('coalesces a burst: each user gets a poke with its greatest cursor; two senders poke every client', async () => {
    const done = nextPoke(busB, 'burst', (e) => e.cursor === 100);
    const mixed = nextPoke(busB, 'mixed', (e) => e.cursor === 7);
    for (let i = 1; i <= 100; i++) busA.publish('burst', 'same', i);
    busA.publish('mixed', 'one', 6);
    busA.publish('mixed', 'other', 7);
    expect((await done).fromClientId).toBe('same');
    expect((await mixed).cursor).toBe(7);
  });

  it('ignores foreign and malformed notifications on the channel', async () => {
    const got = nextPoke(busB, 'bob');
    for (const junk of ['not json', '[]', '{"u": 5}', '{"u": "bob", "c": "x", "n": "1"}', '{"u":"bob"}']) {
      await poolA.query('SELECT pg_notify($1, $2)', [POKE_CHANNEL, junk]);
    }
    busA.publish('bob', 'real', 9);
    expect(await got).toEqual({ fromClientId: 'real', cursor: 9 });
  });

  it('reconnects after losing its listening connection, and pokes its streams with the current cursor', async () => {
    const hlc = formatHlc({ millis: Date.UTC(2026, 0, 1), counter: 0, clientId: 'W' });
    await store.push('carol', [{ hlc, table: 't', row: 'r', column: 'c', value: 1 }]);
    const caughtUp = nextPoke(busB, 'carol');
    const killed = await poolA.query(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'bus-b-listen'`);
    expect(killed.rows).toHaveLength(1);
    await until(() => !busB.listening, 'the bus to notice');
    expect(await caughtUp).toEqual({ fromClientId: '', cursor: 1 });
    expect(busB.listening).toBe(true);
    expect(errors.some((e) => e.startsWith('B: the LISTEN connection was lost'))).toBe(true);
    const after = nextPoke(busB, 'carol', (e) => e.cursor === 5);
    busA.publish('carol', 'W', 5);
    expect((await after).fromClientId).toBe('W');
  });
});
