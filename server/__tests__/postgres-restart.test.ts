/**
 * PostgreSQL itself stopped (an operator's fast shutdown) and started again under a running
 * server, while clients push through it and a client's poke stream is open on it. Its own
 * embedded PostgreSQL, not the run's shared one, since it is stopped.
 *
 * Meanwhile the server answers 503 `unavailable` with Retry-After (never 500, no request past
 * a bound); it recovers by itself (the pool reconnects, the LISTEN connection comes back and
 * catches the stream up); every pushed message is stored once, under gap-free ids, whatever
 * the outage did to the pushes in flight (committed but unanswered ones are sent again).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Message } from 'fieldsync';
import { startTestPostgres, type TestPostgres } from '../../test-support/embedded-postgres.ts';
import { openEvents } from './helpers/event-reader.ts';
import { connectClient, untilQuery } from './helpers/postgres.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

/** The most a sync may take, outage or not: the pool's connection timeout (10 s) and some. */
const REQUEST_BOUND_MS = 12_000;
const PUSHERS = 3;

let pg: TestPostgres;
let t: TestServer;
beforeAll(async () => {
  pg = await startTestPostgres();
  // Compaction off: with it, a message sent again loses its cell to itself and is dropped
  // whatever the push's check of stored hlcs does, and a message stored twice would not show
  // (round 59: with that check and the unique index planted out, this case passed).
  t = await startTestServer({ env: { FIELDSYNC_DATABASE_URL: pg.url, FIELDSYNC_DATABASE_POOL_MAX: '4', FIELDSYNC_COMPACTION: 'off' } });
}, 60_000);
afterAll(async () => {
  await t?.stop();
  await pg?.stop();
});

interface Outcome {
  readonly status: number;
  readonly code?: unknown;
  readonly retryAfter?: string | null;
}

it('a PostgreSQL stop and start under a running server: 503 with Retry-After meanwhile, then it recovers by itself, every message stored once under gap-free ids', async () => {
  const token = await t.token('u');
  const outcomes: Outcome[] = [];
  const acknowledged: Message[] = [];
  const sent = new Map<string, Message[]>();
  const send = async (clientId: string, messages: readonly Message[]): Promise<Outcome> => {
    const signal = AbortSignal.timeout(REQUEST_BOUND_MS);
    try {
      const res = await fetch(`${t.url}/v1/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ clientId, cursor: 0, limit: 1, messages }),
        signal,
      });
      const body = (await res.json()) as { error?: { code?: unknown } };
      return { status: res.status, code: body.error?.code, retryAfter: res.headers.get('retry-after') };
    } catch (err) {
      if (signal.aborted) throw new Error(`a sync got no answer within ${REQUEST_BOUND_MS / 1000} s`, { cause: err });
      throw err;
    }
  };
  let stopping = false;
  // Each pusher sends its next message once the last is acknowledged, and sends a refused one
  // again (as a client does after Retry-After, sooner here) until it is.
  const pusher = async (clientId: string): Promise<void> => {
    sent.set(clientId, []);
    for (let n = 0; !stopping; n++) {
      const m = msg(clientId, `${clientId}-${n}`, n);
      sent.get(clientId)?.push(m);
      for (let attempt = 0; ; attempt++) {
        if (attempt > 200) throw new Error(`${clientId}'s message ${n} was refused 200 times`);
        const o = await send(clientId, [m]);
        outcomes.push(o);
        if (o.status === 200) break;
        if (o.status !== 503 && o.status !== 429) throw new Error(`a sync answered ${o.status} ${String(o.code)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      acknowledged.push(m);
    }
  };
  const afterCount = (count: number, what: string, timeoutMs = 30_000): Promise<void> => {
    const target = acknowledged.length + count;
    return untilQuery(async () => acknowledged.length >= target, what, timeoutMs);
  };

  const watcher = await openEvents(t.url, token, 'watcher');
  const pushers = Array.from({ length: PUSHERS }, (_, i) => pusher(`P${i}`));
  const running = Promise.all(pushers);
  running.catch(() => undefined); // read below; a failure must not stay unhandled meanwhile
  try {
    expect(watcher.status).toBe(200);
    await afterCount(10, 'pushes before the stop');

    await pg.halt();
    const refusedBefore = outcomes.filter((o) => o.status === 503).length;
    await untilQuery(async () => outcomes.filter((o) => o.status === 503).length >= refusedBefore + 3, '503s while PostgreSQL is stopped');
    const pokesBefore = watcher.pokes.length;
    await pg.resume();

    // The server serves again by itself: pushes are acknowledged again.
    await afterCount(10, 'pushes after the start', 30_000);
    // Its LISTEN connection is back (reconnected with back-off), and the stream is poked again.
    const admin = await connectClient(pg.url);
    try {
      await untilQuery(async () => (await admin.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'fieldsync-listen'")).rowCount === 1, 'the LISTEN connection to come back', 40_000);
    } finally {
      await admin.end();
    }
    stopping = true;
    await running;
    // Every client sends again all it ever pushed, in one push: as a client that lost its
    // answers in the outage does (a push committed as the database stopped, its answer lost).
    // Each is stored already: accepted again, stored no more.
    for (const [clientId, messages] of sent) {
      const again = await send(clientId, messages);
      expect(again.status).toBe(200);
    }
    const lastMessage = msg('P0', 'last', 'last');
    const last = await send('P0', [lastMessage]);
    expect(last.status).toBe(200);
    acknowledged.push(lastMessage);
    const lastId = (await t.pullAll('u')).length;
    await untilQuery(async () => watcher.pokes.slice(pokesBefore).includes(lastId), `a poke of the last push (id ${lastId}) on the stream`);
  } finally {
    stopping = true;
    await running.catch(() => undefined);
    watcher.close();
  }

  // Never a fault: 200, or 503 with Retry-After (429 if shed); none past the bound.
  const statuses = new Set(outcomes.map((o) => o.status));
  expect([...statuses].filter((s) => s !== 200 && s !== 503 && s !== 429)).toEqual([]);
  const refused = outcomes.filter((o) => o.status === 503);
  expect(refused.length).toBeGreaterThan(0);
  expect(refused.filter((o) => o.code !== 'unavailable' || o.retryAfter === null)).toEqual([]);
  expect(t.logs.filter((l) => l.msg === 'internal error')).toEqual([]);

  // Stored once each, nothing else, under ids 1..n.
  const stored = await t.pullAll('u');
  expect(stored.map((m) => m.id)).toEqual(stored.map((_, i) => i + 1));
  const hlcs = stored.map((m) => m.hlc);
  expect(new Set(hlcs).size).toBe(hlcs.length);
  expect(hlcs.sort()).toEqual(acknowledged.map((m) => m.hlc).sort());
}, 120_000);
