/**
 * A hostile server against the client's clock (round 67, attacker review): a pulled message
 * stamped at the very end of the HLC range (9999-12-31T23:59:59.999Z, counter FFFE). The
 * clock moved past it (the receive rule), left itself one timestamp, and every local write
 * after it failed with clock_overflow, on every later opening too (the clock is restored from
 * the greatest timestamp the store holds). Real HTTP on loopback; the honest answers are an
 * in-process server's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpRemote, createSyncClient } from '../index.ts';
import type { SyncRequest } from '../protocol.ts';
import { ClockError } from '../errors.ts';
import { HybridClock } from '../hybrid-clock.ts';
import { formatHlc, parseHlc } from '../hlc.ts';
import { createInProcessServer } from '../testing/in-process-server.ts';
import { memory, schema } from './harness/test-kit.ts';
import { closeServers, serve } from './harness/loopback.ts';

afterEach(closeServers);

const END = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const atTheEnd = formatHlc({ millis: END, counter: 0xfffe, clientId: 'evil' });

/** A loopback server: the in-process server's answers, or, while `evil` is set, its answer. */
async function server(): Promise<{ url: string; evil: ((r: SyncRequest) => unknown) | null; held: () => Promise<string[]> }> {
  const honest = createInProcessServer();
  const inner = honest.remote('user');
  const s = {
    url: '',
    evil: null as ((r: SyncRequest) => unknown) | null,
    held: async () => (await inner.sync({ clientId: 'other', cursor: 0 })).messages.map((m) => `${m.row}=${String(m.value)}`),
  };
  s.url = await serve((_req, res, body) => {
    const request = JSON.parse(body) as SyncRequest;
    void (async () => {
      const answer = s.evil ? s.evil(request) : await inner.sync(request);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
    })();
  });
  return s;
}

describe('a pulled message stamped at the end of the HLC range', () => {
  it('is refused with a ClockError, nothing of its page applied; the unsynced write stays, later writes work, and an honest server syncs them', async () => {
    const s = await server();
    const store = memory();
    const client = await createSyncClient({ schema, store, remote: createHttpRemote({ url: s.url, token: 't' }), intervalMs: 0, debounceMs: 60_000 });
    const before = await client.set('todos', 'mine', 'title', 'before');
    s.evil = (r) => ({
      accepted: r.messages?.length ?? 0, cursor: 2, more: false, serverTime: new Date().toISOString(),
      messages: [{ id: 1, hlc: '2026-01-01T00:00:00.000Z-0000-other', table: 'todos', row: 'ok', column: 'title', value: 'same page' }, { id: 2, hlc: atTheEnd, table: 'todos', row: 'x', column: 'title', value: 'evil' }],
    });
    const failed = await client.sync().then(() => null, (e: unknown) => e);
    expect(failed).toBeInstanceOf(ClockError);
    expect(failed).toMatchObject({ code: 'clock_overflow', message: `HLC time overflow: a received timestamp in year 9999 is ahead of this clock (${atTheEnd}): taking it would leave too few timestamps` });
    expect([store.get('todos', 'x'), store.get('todos', 'ok')]).toEqual([undefined, undefined]);
    expect(client.status).toMatchObject({ state: 'error', pending: 1, cursor: 0, error: { code: 'clock_overflow' } });
    const after = await client.set('todos', 'mine', 'title', 'after');
    expect(parseHlc(after.hlc).millis).toBeLessThan(Date.UTC(9999, 0, 1));
    expect(after.hlc > before.hlc).toBe(true);
    s.evil = null;
    await client.sync();
    expect(client.status).toMatchObject({ state: 'idle', pending: 0, error: null });
    expect(await s.held()).toEqual(['mine=after']);
    expect(store.get('todos', 'mine')).toEqual({ title: 'after' });
    await client.close();
  });

  it('held by a store already (pulled before round 67), does not stop the clock opened from it', () => {
    const now = Date.UTC(2026, 11, 7, 20, 0, 0);
    const clock = new HybridClock({ clientId: 'me', now: () => now, last: atTheEnd });
    const first = clock.tick();
    expect(parseHlc(first)).toMatchObject({ millis: now, counter: 0 });
    expect(clock.tick() > first).toBe(true);
    // Its own end is the physical clock's: the last millisecond, once it reads it, is still taken.
    const atEnd = new HybridClock({ clientId: 'me', now: () => END, last: atTheEnd });
    expect(parseHlc(atEnd.tick())).toMatchObject({ millis: END, counter: 0xffff });
  });

  it('a receive of a timestamp in year 9999 ahead of the clock throws and leaves the clock as it was; one the clock has reached is taken', () => {
    const now = Date.UTC(2026, 11, 7, 20, 0, 0);
    const clock = new HybridClock({ clientId: 'me', now: () => now });
    clock.tick();
    const state = clock.state;
    expect(() => clock.receive(formatHlc({ millis: Date.UTC(9999, 0, 1), counter: 0, clientId: 'x' }))).toThrow(ClockError);
    expect(clock.state).toEqual(state);
    // The year before is taken as ever (a server with a loose drift limit: repaired by clock_drift).
    clock.receive(formatHlc({ millis: Date.UTC(9998, 11, 31), counter: 0, clientId: 'x' }));
    expect(clock.state).toEqual({ millis: Date.UTC(9998, 11, 31), counter: 1 });
    const late = new HybridClock({ clientId: 'me', now: () => Date.UTC(9999, 5, 1) });
    late.receive(formatHlc({ millis: Date.UTC(9999, 0, 1), counter: 0, clientId: 'x' }));
    expect(late.state).toEqual({ millis: Date.UTC(9999, 5, 1), counter: 0 });
  });
});
