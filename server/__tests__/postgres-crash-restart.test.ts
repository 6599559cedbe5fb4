/**
 * PostgreSQL crashing under two running server processes (in-process servers, a pool each)
 * while clients push through both in turn: an immediate shutdown (SIGQUIT to the postmaster,
 * as `pg_ctl stop -m immediate` sends: sessions ended at once, no checkpoint, crash recovery
 * at the next start) and a SIGKILL of the postmaster (its backends end as they notice, without
 * a word to their clients). Its own embedded PostgreSQL, not the run's shared one.
 *
 * A push in flight at the crash (one surely: it waits on a counter row another session holds)
 * is answered 503 with Retry-After within seconds; every sync is answered 200 or 503 with
 * Retry-After, none past a bound, no internal error; once PostgreSQL is back both servers
 * serve again by themselves; and after every client has sent again all it ever pushed (as a
 * client whose answers were lost at the crash does), every acknowledged message is stored once,
 * under ids 1 to n. Compaction is off: with it, a message sent again loses its cell to itself
 * and is dropped whatever the push's check of stored hlcs does, so a duplicate would not show.
 */
import type { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from 'fieldsync';
import { startTestPostgres, type TestPostgres } from '../../test-support/embedded-postgres.ts';
import { connectClient, untilQuery } from './helpers/postgres.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

/** The most a sync may take, crash or not: the pool's connection timeout (10 s) and some. */
const REQUEST_BOUND_MS = 12_000;
/** From the crash to the answer of the push that was waiting on a lock. */
const IN_FLIGHT_BOUND_MS = 3000;
const PUSHERS = 4;

let db: TestPostgres;
beforeAll(async () => {
  db = await startTestPostgres();
}, 60_000);
afterAll(async () => {
  await db?.stop();
});

interface Outcome {
  readonly server: number;
  readonly status: number;
  readonly code?: unknown;
  readonly retryAfter?: string | null;
  readonly at: number;
}

describe.each(['SIGQUIT', 'SIGKILL'] as const)('PostgreSQL crashed with %s under two running servers', (signal) => {
  it('in-flight pushes answer 503, nothing acknowledged is lost, nothing is stored twice once clients send again, and both servers recover by themselves', async () => {
    const user = `u-${signal}`;
    const env = { FIELDSYNC_DATABASE_URL: db.url, FIELDSYNC_DATABASE_POOL_MAX: '4', FIELDSYNC_COMPACTION: 'off' };
    const servers: TestServer[] = [await startTestServer({ env }), await startTestServer({ env })];
    const token = await servers[0]!.token(user);
    const heldToken = await servers[0]!.token(`${user}-held`);
    const outcomes: Outcome[] = [];
    const sent = new Map<string, Message[]>();
    const acknowledged: Message[] = [];
    const send = async (server: number, clientId: string, messages: readonly Message[], bearer = token): Promise<Outcome> => {
      const signal = AbortSignal.timeout(REQUEST_BOUND_MS);
      try {
        const res = await fetch(`${servers[server]!.url}/v1/sync`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
          body: JSON.stringify({ clientId, cursor: 0, limit: 1, messages }),
          signal,
        });
        const body = (await res.json()) as { error?: { code?: unknown } };
        return { server, status: res.status, code: body.error?.code, retryAfter: res.headers.get('retry-after'), at: performance.now() };
      } catch (err) {
        if (signal.aborted) throw new Error(`a sync got no answer within ${REQUEST_BOUND_MS / 1000} s`, { cause: err });
        throw err;
      }
    };
    let stopping = false;
    // Each client sends its next message once the last is acknowledged, to the two servers in
    // turn, and sends a refused one again (as a client does after Retry-After, sooner here).
    const pusher = async (i: number): Promise<void> => {
      const clientId = `P${i}`;
      sent.set(clientId, []);
      for (let n = 0; !stopping; n++) {
        const m = msg(clientId, `${clientId}-${n}`, n);
        sent.get(clientId)!.push(m);
        for (let attempt = 0; ; attempt++) {
          if (attempt > 200) throw new Error(`${clientId}'s message ${n} was refused 200 times`);
          const o = await send((i + n + attempt) % 2, clientId, [m]);
          outcomes.push(o);
          if (o.status === 200) break;
          if (o.status !== 503 && o.status !== 429) throw new Error(`a sync answered ${o.status} ${String(o.code)}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        acknowledged.push(m);
      }
    };
    const afterCount = (count: number, what: string): Promise<void> => {
      const target = acknowledged.length + count;
      return untilQuery(async () => acknowledged.length >= target, what, 30_000);
    };

    // A push surely in flight at the crash: on a counter row another session holds.
    expect((await send(0, 'H', [msg('H', 'h0', 'kept')], heldToken)).status).toBe(200);
    const holder: Client = await connectClient(db.url);
    await holder.query('BEGIN');
    await holder.query('SELECT last_id FROM fieldsync_users WHERE user_id = $1 FOR UPDATE', [`${user}-held`]);

    const running = Promise.all(Array.from({ length: PUSHERS }, (_, i) => pusher(i)));
    running.catch(() => undefined); // read below; a failure must not stay unhandled meanwhile
    let crashedAt = Number.NaN;
    try {
      await afterCount(10, 'pushes before the crash');
      const held = send(0, 'H', [msg('H', 'h1', 'in flight')], heldToken);
      const admin = await connectClient(db.url);
      try {
        await untilQuery(async () => (await admin.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'fieldsync' AND wait_event_type = 'Lock'")).rowCount === 1, 'the push to wait on the lock');
      } finally {
        await admin.end();
      }

      crashedAt = performance.now();
      await db.crash(signal);
      const inFlight = await held;
      expect({ status: inFlight.status, code: inFlight.code, retryAfter: inFlight.retryAfter }).toEqual({ status: 503, code: 'unavailable', retryAfter: '2' });
      expect(inFlight.at - crashedAt).toBeLessThan(IN_FLIGHT_BOUND_MS);
      await untilQuery(async () => outcomes.filter((o) => o.at > crashedAt && o.status === 503).length >= 3, '503s while PostgreSQL is down');

      await db.resume();
      const resumedAt = performance.now();
      // Both servers serve again by themselves.
      await afterCount(12, 'pushes after the restart');
      await untilQuery(async () => [0, 1].every((s) => outcomes.some((o) => o.server === s && o.at > resumedAt && o.status === 200)), 'both servers to answer 200 again');
    } finally {
      stopping = true;
      await running.catch(() => undefined);
      await holder.end().catch(() => undefined);
    }
    await running;

    try {
      // Every client sends again all it ever pushed, in one push, through each server: as a
      // client that lost its answers at the crash does. Stored already, each is accepted again.
      for (const [clientId, messages] of sent) {
        for (const server of [0, 1]) {
          const again = await send(server, clientId, messages);
          expect(again.status).toBe(200);
        }
      }
      const heldAgain = await send(1, 'H', [msg('H', 'h1', 'sent again')], heldToken);
      expect(heldAgain.status).toBe(200);

      // Never a fault: 200, or 503 with Retry-After (429 if shed); none past the bound.
      expect([...new Set(outcomes.map((o) => o.status))].filter((s) => s !== 200 && s !== 503 && s !== 429)).toEqual([]);
      const refused = outcomes.filter((o) => o.status === 503);
      expect(refused.filter((o) => o.code !== 'unavailable' || o.retryAfter === null)).toEqual([]);
      for (const s of servers) expect(s.logs.filter((l) => l.msg === 'internal error')).toEqual([]);

      // Read directly: stored once each, every acknowledged one, nothing else, under ids 1..n.
      const check = await connectClient(db.url);
      try {
        const { rows } = await check.query<{ id: string; hlc: string }>('SELECT id, hlc FROM fieldsync_messages WHERE user_id = $1 ORDER BY id', [user]);
        expect(rows.map((r) => Number(r.id))).toEqual(rows.map((_, i) => i + 1));
        const hlcs = rows.map((r) => r.hlc);
        const twice = hlcs.filter((h, i) => hlcs.indexOf(h) !== i);
        expect(twice, 'stored twice').toEqual([]);
        const sentHlcs = new Set([...sent.values()].flat().map((m) => m.hlc));
        expect(hlcs.filter((h) => !sentHlcs.has(h)), 'stored, never sent').toEqual([]);
        const storedHlcs = new Set(hlcs);
        expect(acknowledged.filter((m) => !storedHlcs.has(m.hlc)).map((m) => m.row), 'acknowledged, then lost').toEqual([]);
        const held = await check.query<{ id: string; row_id: string }>('SELECT id, row_id FROM fieldsync_messages WHERE user_id = $1 ORDER BY id', [`${user}-held`]);
        expect(held.rows).toEqual([{ id: '1', row_id: 'h0' }, { id: '2', row_id: 'h1' }]);
      } finally {
        await check.end();
      }
    } finally {
      for (const s of servers) await s.stop();
    }
  }, 90_000);
});
