/**
 * The poke bus's listening connection, when the database stops answering without closing it
 * (SIGSTOPped, a network black hole): its `SELECT 1` health check had no bound and no check
 * that the previous one finished, so the connection was never taken for lost (no reconnect, no
 * catch-up poke: streams missed every poke meanwhile) and checks piled up behind the hung one.
 * Now a check unanswered within its bound, or still running when the next is due, drops the
 * connection: the bus reconnects, and pokes its streams with the current cursor.
 * A freezable relay (helpers/freezable-relay.ts) stands in for the frozen database.
 */
import type { Pool } from 'pg';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { formatHlc } from 'fieldsync/server';
import type { PokeEvent } from '../poke-bus.ts';
import { createPostgresPokeBus, type PostgresPokeBus, type PostgresPokeBusOptions } from '../postgres-poke-bus.ts';
import { createPostgresPool, createPostgresServerStore, type PostgresServerStore } from '../stores/postgres-server-store.ts';
import { freezableRelay, type FreezableRelay } from './helpers/freezable-relay.ts';
import { createTestDatabase, type TestDatabase } from './helpers/postgres.ts';

let db: TestDatabase;
let store: PostgresServerStore; // direct, for pushes while the relay is frozen
beforeAll(async () => {
  db = await createTestDatabase();
  store = await createPostgresServerStore({ url: db.url, poolMax: 2 });
});
afterAll(async () => {
  await store?.close();
  await db?.drop();
});

/** Each case's relay, pool and bus, closed after it whatever happened. */
let open: { relay: FreezableRelay; pool: Pool; bus: PostgresPokeBus } | null = null;
afterEach(async () => {
  if (!open) return;
  open.relay.thaw();
  await open.bus.close();
  await open.pool.end();
  await open.relay.close();
  open = null;
});

async function busThroughRelay(errors: string[], options: Partial<PostgresPokeBusOptions>): Promise<{ relay: FreezableRelay; bus: PostgresPokeBus }> {
  const relay = await freezableRelay(db.url);
  // Connections through the frozen relay wait 500 ms to start, then fail: reconnection keeps trying.
  const pool = createPostgresPool({ url: relay.url, poolMax: 2, connectionTimeoutMs: 500, applicationName: 'bus-health' });
  const bus = await createPostgresPokeBus({ pool, reconnectMinMs: 50, reconnectMaxMs: 200, onError: (e, what) => errors.push(`${what}: ${String(e)}`), ...options });
  open = { relay, pool, bus };
  return { relay, bus };
}

function nextPoke(bus: PostgresPokeBus, userId: string, match: (e: PokeEvent) => boolean = () => true): Promise<PokeEvent> {
  return new Promise((resolve) => {
    const stop = bus.subscribe(userId, (e) => {
      if (!match(e)) return;
      stop();
      resolve(e);
    });
  });
}

let n = 0;
async function pushOne(userId: string): Promise<number> {
  const hlc = formatHlc({ millis: Date.UTC(2026, 0, 1) + ++n, counter: 0, clientId: 'W' });
  return (await store.push(userId, [{ hlc, table: 't', row: `r${n}`, column: 'c', value: n }])).maxId;
}

describe('the poke bus when its database stops answering on the listening connection', () => {
  it('takes an unanswered health check for a lost connection, reconnects once it can, and catches its streams up', async () => {
    const errors: string[] = [];
    const { relay, bus } = await busThroughRelay(errors, { healthCheckMs: 500, healthCheckTimeoutMs: 300 });
    const caughtUp = nextPoke(bus, 'dora', (e) => e.fromClientId === '');
    relay.freeze();
    await expect.poll(() => bus.listening, { timeout: 3000, interval: 20 }).toBe(false);
    expect(errors.some((e) => e.startsWith('the LISTEN connection was lost; reconnecting: HealthCheckError: the health check (SELECT 1) got no answer within 300 ms'))).toBe(true);
    // Pushed while the bus could not hear it: the catch-up poke after reconnecting carries it.
    const maxId = await pushOne('dora');
    relay.thaw();
    expect(await caughtUp).toEqual({ fromClientId: '', cursor: maxId });
    expect(bus.listening).toBe(true);
    // And the new connection hears pokes again.
    const after = nextPoke(bus, 'dora', (e) => e.cursor === maxId + 10);
    bus.publish('dora', 'W', maxId + 10);
    expect((await after).fromClientId).toBe('W');
  });

  it('takes a check still running when the next is due for a lost connection, even with a longer bound: checks never pile up', async () => {
    const errors: string[] = [];
    const { relay, bus } = await busThroughRelay(errors, { healthCheckMs: 300, healthCheckTimeoutMs: 60_000 });
    relay.freeze();
    await expect.poll(() => bus.listening, { timeout: 3000, interval: 20 }).toBe(false);
    expect(errors.some((e) => e.includes('HealthCheckError: the previous health check (SELECT 1) is still running after 300 ms'))).toBe(true);
    relay.thaw();
    await expect.poll(() => bus.listening, { timeout: 5000, interval: 20 }).toBe(true);
  });
});

describe('the poke bus when a notify fails', () => {
  it('sends the pokes again once the database answers, coalesced with those published meanwhile: no process misses them', async () => {
    const errors: string[] = [];
    // The publisher's notify goes through the relay and fails while it is frozen (its pool's
    // query bound); its health check is far off, so its own LISTEN connection stays.
    const relay = await freezableRelay(db.url);
    const pool = createPostgresPool({ url: relay.url, poolMax: 2, connectionTimeoutMs: 500, queryTimeoutMs: 300, applicationName: 'bus-notify' });
    const publisher = await createPostgresPokeBus({ pool, reconnectMinMs: 50, reconnectMaxMs: 200, healthCheckMs: 60_000, onError: (e, what) => errors.push(`${what}: ${String(e)}`) });
    open = { relay, pool, bus: publisher };
    // Another process's bus, straight to the database.
    const otherPool = createPostgresPool({ url: db.url, poolMax: 2, applicationName: 'bus-other' });
    const other = await createPostgresPokeBus({ pool: otherPool });
    try {
      const got: PokeEvent[] = [];
      const stop = other.subscribe('erin', (e) => got.push(e));
      const failed = (): number => errors.filter((e) => e.startsWith('sending pokes failed')).length;
      relay.freeze();
      publisher.publish('erin', 'W', 5);
      await expect.poll(failed, { timeout: 5000, interval: 20 }).toBeGreaterThan(0);
      relay.thaw();
      await expect.poll(() => got, { timeout: 5000, interval: 20 }).toEqual([{ fromClientId: 'W', cursor: 5 }]);
      // Published while a send fails again and again: the last poke has the greatest cursor
      // (coalesced with 7 when it came while the send waited, after it when a send was out).
      relay.freeze();
      publisher.publish('erin', 'W', 7);
      const before = failed();
      await expect.poll(failed, { timeout: 5000, interval: 20 }).toBeGreaterThan(before);
      publisher.publish('erin', 'V', 8);
      relay.thaw();
      await expect.poll(() => got.at(-1)?.cursor, { timeout: 5000, interval: 20 }).toBe(8);
      expect(got.slice(1).map((e) => e.cursor)).toEqual(got.length === 2 ? [8] : [7, 8]);
      stop();
    } finally {
      await other.close();
      await otherPool.end();
    }
  });
});
