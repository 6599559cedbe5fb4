/**
 * The local clock set back while the app runs (hlc.ts, `physicalNow`): NTP puts right a clock
 * that ran ahead, whose correction the client had learnt from the server. With the host's
 * monotonic clock, the correction grows by the fall and stamps stay true; a sleep (the local
 * clock running ahead of a monotonic one that stood still) changes nothing. clock-restart.test.ts
 * has the same clock put right across a restart.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSyncClient, type SyncClient } from '../index.ts';
import { hlcMillis } from '../hlc.ts';
import { HybridClock, hostMonotonic } from '../hybrid-clock.ts';
import type { MemoryStore } from '../memory-store.ts';
import { createInProcessServer } from '../testing/index.ts';
import { ScriptedRemote, T0, memory, schema } from './harness/test-kit.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** A clock with a local clock (`wall`) and a monotonic one (`mono`) that the test moves. */
function clockWith(offsetMs: number, monotonic = true) {
  const t = { wall: T0 - offsetMs, mono: 0 };
  const clock = new HybridClock({ clientId: 'dev1', now: () => t.wall, offsetMs, ...(monotonic ? { monotonic: () => t.mono } : {}) });
  /** Both clocks move on by `ms`, as time passes. */
  const pass = (ms: number): void => {
    t.wall += ms;
    t.mono += ms;
  };
  return { t, clock, pass, stamp: () => hlcMillis(clock.tick()) };
}

describe('HybridClock with a monotonic clock', () => {
  it('a local clock set back by a day while it runs: the correction grows by the fall, and stamps go on from the true time', () => {
    const { t, clock, pass, stamp } = clockWith(-DAY); // it ran a day ahead, and learnt so
    expect(stamp()).toBe(T0);
    pass(5000);
    expect(stamp()).toBe(T0 + 5000);
    t.wall -= DAY; // NTP puts it right
    pass(1000);
    expect(stamp()).toBe(T0 + 6000); // not pinned to T0 + 5000, a day in the past
    expect(clock.offsetMs).toBe(0);
    pass(1000);
    expect(stamp()).toBe(T0 + 7000);
  });

  it('a sleep (the local clock runs on while the monotonic one stands still) is taken as it is, and a fall after it is measured from there', () => {
    const { t, clock, pass, stamp } = clockWith(-HOUR);
    expect(stamp()).toBe(T0);
    t.wall += 2 * HOUR; // slept two hours
    expect(stamp()).toBe(T0 + 2 * HOUR);
    expect(clock.offsetMs).toBe(-HOUR);
    pass(1000);
    t.wall -= HOUR; // then put right
    expect(stamp()).toBe(T0 + 2 * HOUR + 1000);
    expect(clock.offsetMs).toBe(0);
  });

  it('a slow fall adds up until it passes a second; one within it changes nothing', () => {
    const { t, clock, stamp } = clockWith(-5000);
    stamp();
    for (let i = 0; i < 2; i++) {
      t.mono += 10_000;
      t.wall += 10_000 - 400;
      stamp();
      expect(clock.offsetMs).toBe(-5000);
    }
    t.mono += 10_000;
    t.wall += 10_000 - 400; // 1,200 ms behind in all
    expect(stamp()).toBe(T0 + 30_000);
    expect(clock.offsetMs).toBe(-3800);
  });

  it('a fall is made good only up to the lead learnt: none for a clock that was not ahead (set back by mistake, then right again: never ahead)', () => {
    const none = clockWith(0);
    expect(none.stamp()).toBe(T0);
    none.t.wall -= 4 * 60_000; // set back by mistake
    none.pass(1000);
    expect(none.stamp()).toBe(T0); // as without a monotonic clock: pinned
    none.t.wall += 4 * 60_000; // put right
    none.pass(1000);
    expect(none.stamp()).toBe(T0 + 2000); // the true time, not 4 minutes ahead
    const minute = clockWith(-60_000);
    minute.stamp();
    minute.t.wall -= 4 * 60_000;
    minute.pass(1000);
    expect(minute.stamp()).toBe(T0); // pinned: three of the four minutes were not the clock's lead
    expect(minute.clock.offsetMs).toBe(0); // the minute it was ahead, and no more
    minute.t.wall += 3 * 60_000;
    minute.pass(1000);
    expect(minute.stamp()).toBe(T0 + 2000);
    // A monotonic clock that runs fast (no NTP steers it, on some hosts) adds no lead either.
    const fast = clockWith(-1000);
    for (let i = 0; i < 30; i++) {
      fast.t.mono += 86_400_000 * (1 + 50e-6); // 50 ppm fast, a day at a time
      fast.t.wall += 86_400_000;
      fast.stamp();
    }
    expect(fast.clock.offsetMs).toBe(0);
  });

  it.each([
    ['throws', () => { throw new Error('broken polyfill'); }],
    ['answers Infinity', () => Infinity],
    ['answers NaN', () => Number.NaN],
    ['goes back', () => -5000],
  ])('a monotonic clock that %s is dropped: the clock goes on without it', (_name, broken) => {
    const t = { wall: T0 + DAY, mono: 0, broken: false };
    const clock = new HybridClock({ clientId: 'dev1', now: () => t.wall, offsetMs: -DAY, monotonic: () => (t.broken ? broken() : (t.mono += 1)) });
    expect(hlcMillis(clock.tick())).toBe(T0);
    t.broken = true;
    t.wall += 1000;
    expect(hlcMillis(clock.tick())).toBe(T0 + 1000);
    t.wall -= DAY; // no longer noticed
    expect(hlcMillis(clock.tick())).toBe(T0 + 1000);
    expect(clock.offsetMs).toBe(-DAY);
    clock.setOffset(0);
    t.wall += DAY + 1000;
    expect(hlcMillis(clock.tick())).toBe(T0 + DAY + 2000);
  });

  it('a correction learnt after a fall is compared afresh: the fall is not added to it', () => {
    const { t, clock, pass, stamp } = clockWith(-DAY);
    stamp();
    t.wall -= DAY;
    clock.setOffset(0); // learnt from the server for the local clock as it now reads
    pass(1000);
    expect(stamp()).toBe(T0 + 1000);
    expect(clock.offsetMs).toBe(0);
  });

  it('without a monotonic clock the local clock is taken as it comes (a fall pins the stamps)', () => {
    const { t, pass, stamp } = clockWith(-DAY, false);
    expect(stamp()).toBe(T0);
    t.wall -= DAY;
    pass(1000);
    expect(stamp()).toBe(T0); // the HLC's own rule: never backwards
  });

  it('hostMonotonic: the host\'s performance.now where there is one, none where there is not', () => {
    const mono = hostMonotonic();
    expect(mono).toBeTypeOf('function');
    const a = (mono as () => number)();
    expect((mono as () => number)()).toBeGreaterThanOrEqual(a);
    vi.stubGlobal('performance', undefined);
    try {
      expect(hostMonotonic()).toBeUndefined();
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('a sync client whose local clock is put right while it runs', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** The hlc of `store`'s own (local) message of todo `row`'s title. */
  async function ownStamp(store: MemoryStore, row: string): Promise<number> {
    const mine = (await store.messages({ kind: 'cell', table: 'todos', row, column: 'title' })).find((m) => m.local);
    return hlcMillis(mine!.hlc);
  }

  it('stamps its offline writes by the right clock, and a later write of its wins on both devices (the host\'s own clocks)', async () => {
    // The host's clocks, faked: `Date` and `performance` move together; setSystemTime moves `Date` alone.
    vi.useFakeTimers({ toFake: ['Date', 'performance'], now: T0 + DAY });
    let ahead = DAY;
    const server = createInProcessServer({ now: () => Date.now() - ahead });
    const bStore = memory();
    // No `now` option: the host's clocks, as an app's client has.
    const b: SyncClient = await createSyncClient({ schema, store: bStore, remote: new ScriptedRemote(server), autoSync: false });
    await b.sync(); // learns that its clock runs a day ahead
    vi.setSystemTime(T0); // NTP puts it right
    ahead = 0;
    const aStore = memory();
    const a = await createSyncClient({ schema, store: aStore, remote: new ScriptedRemote(server), autoSync: false, now: () => Date.now() });
    vi.advanceTimersByTime(1000);
    await a.set('todos', 't', 'title', 'A, written first');
    vi.advanceTimersByTime(1000);
    await b.set('todos', 't', 'title', 'B, written later'); // offline
    expect(await ownStamp(bStore, 't')).toBe(T0 + 2000); // not a day in the past
    await a.sync();
    await b.sync();
    await a.sync();
    expect(aStore.get('todos', 't')).toEqual({ title: 'B, written later' });
    expect(bStore.get('todos', 't')).toEqual({ title: 'B, written later' });
    expect(b.status).toMatchObject({ pending: 0, rejected: 0, error: null });
    await a.close();
    await b.close();
  });
  it('saves the correction it made good with its next write: after a restart, still offline, it stamps by the right clock', async () => {
    const MINUTES_4 = 4 * 60_000; // within the drift limit: a restart keeps such a correction
    vi.useFakeTimers({ toFake: ['Date', 'performance'], now: T0 + MINUTES_4 });
    let ahead = MINUTES_4;
    const server = createInProcessServer({ now: () => Date.now() - ahead });
    const store = memory();
    const open = (): Promise<SyncClient> => createSyncClient({ schema, store, remote: new ScriptedRemote(server), autoSync: false });
    let b = await open();
    await b.sync(); // learns that its clock runs 4 minutes ahead
    await b.set('todos', 't0', 'title', 'written before NTP');
    vi.setSystemTime(T0); // NTP puts it right
    ahead = 0;
    vi.advanceTimersByTime(1000);
    await b.set('todos', 't1', 'title', 'written before the restart');
    expect(await ownStamp(store, 't1')).toBe(T0 + 1000);
    await b.close();
    b = await open(); // restarted, offline
    vi.advanceTimersByTime(1000);
    await b.set('todos', 't2', 'title', 'written after it');
    expect(await ownStamp(store, 't2')).toBe(T0 + 2000); // not 4 minutes in the past, pinned to the last stamp
    await b.close();
  });
});
