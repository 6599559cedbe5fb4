/**
 * The SQLite store thread's queue (issue 11 item 3): one job at a time, and a small job that
 * arrives while a large one runs goes next, before the large ones already waiting. Issue 12:
 * groups, the pauses of a large round (small syncs of other users run between two chunks of
 * its commit), and large rounds that small ones cannot starve.
 */
import { describe, expect, it, vi } from 'vitest';
import { arrivalClock, createJobQueue } from '../ingest/job-queue.ts';

describe('the store thread\'s job queue', () => {
  it('runs one job at a time, small ones before the large ones waiting', async () => {
    const queue = createJobQueue();
    const order: string[] = [];
    let running = 0;
    let most = 0;
    let release: () => void = () => {};
    const done: Promise<unknown>[] = [];
    const add = (kind: 'small' | 'large', name: string, gate?: Promise<void>): void => {
      done.push(new Promise((resolve) => queue.add(kind, async () => {
        running++;
        most = Math.max(most, running);
        order.push(name);
        if (gate) await gate;
        running--;
        return name;
      }, resolve)));
    };
    add('large', 'L1', new Promise((r) => (release = r)));
    add('large', 'L2');
    add('large', 'L3');
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['L1']); // L1 is running and holds the queue
    add('small', 'S1'); // arrives during L1
    add('small', 'S2');
    release();
    const outcomes = await Promise.all(done);
    expect(order).toEqual(['L1', 'S1', 'S2', 'L2', 'L3']);
    expect(most).toBe(1);
    expect(outcomes).toContainEqual({ ok: true, value: 'S1' });
  });

  it('hands a failing job its error and goes on', async () => {
    const queue = createJobQueue();
    const failed = await new Promise((resolve) => queue.add('small', () => { throw new Error('boom'); }, resolve));
    expect(failed).toMatchObject({ ok: false, error: { message: 'boom' } });
    expect(await new Promise((resolve) => queue.add('large', () => 42, resolve))).toEqual({ ok: true, value: 42 });
  });
});

describe('an idle queue', () => {
  const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

  it('runs the small jobs of a burst before its large ones, on its first burst and on every one after it went idle', async () => {
    const queue = createJobQueue();
    for (let burst = 1; burst <= 3; burst++) {
      const order: string[] = [];
      const done = (['large', 'small', 'large', 'small'] as const).map((kind, i) => new Promise((resolve) => queue.add(kind, () => order.push(`${kind} ${i}`), resolve)));
      await Promise.all(done);
      expect(order).toEqual(['small 1', 'small 3', 'large 0', 'large 2']);
      for (let i = 0; i < 3; i++) await nextTurn(); // idle
    }
  });

  it('schedules nothing once its jobs are done', async () => {
    const queue = createJobQueue();
    await Promise.all([new Promise((resolve) => queue.add('large', () => 1, resolve)), new Promise((resolve) => queue.add('small', () => 2, resolve))]);
    for (let i = 0; i < 3; i++) await nextTurn();
    const scheduled = vi.spyOn(globalThis, 'setImmediate');
    try {
      await new Promise((r) => setTimeout(r, 30));
      // No turn after turn with nothing to run: the queue's own is none (a queue that kept
      // draining made thousands in 30 ms); the bound leaves room for a stray one of the runner's.
      expect(scheduled.mock.calls.length).toBeLessThanOrEqual(2);
    } finally {
      scheduled.mockRestore();
    }
  });
});

describe('groups of large jobs (group commit)', () => {
  it('starts the jobs of one kind waiting together, up to a count and a weight, small ones first', async () => {
    const queue = createJobQueue({ group: { maxJobs: 3, maxWeight: 2500 } });
    const rounds: string[][] = [];
    let current: string[] = [];
    let release: () => void = () => {};
    const done: Promise<unknown>[] = [];
    const add = (kind: 'small' | 'large', name: string, weight: number, gate?: Promise<void>): void => {
      done.push(new Promise((resolve) => queue.add(kind, async () => {
        if (current.length === 0) queueMicrotask(() => { rounds.push(current); current = []; });
        current.push(name);
        if (gate) await gate;
        return name;
      }, resolve, weight)));
    };
    add('large', 'L1', 1000, new Promise((r) => (release = r)));
    await new Promise((r) => setImmediate(r));
    for (const name of ['L2', 'L3', 'L4', 'L5']) add('large', name, 1000);
    add('large', 'L6', 3000); // over the weight alone: a round of its own
    add('small', 'S1', 1);
    add('small', 'S2', 1);
    release();
    await Promise.all(done);
    expect(rounds).toEqual([['L1'], ['S1', 'S2'], ['L2', 'L3'], ['L4', 'L5'], ['L6']]);
  });

  it('fills a round up to its weight exactly, in order: a job over it ends the round, none after it jumps ahead', async () => {
    const queue = createJobQueue({ group: { maxJobs: 4, maxWeight: 10 } });
    const rounds: string[][] = [];
    let current: string[] = [];
    const done = ([['A', 1], ['B', 5], ['C', 6], ['D', 4]] as const).map(([name, weight]) => new Promise((resolve) => queue.add('large', () => {
      if (current.length === 0) queueMicrotask(() => { rounds.push(current); current = []; });
      current.push(name);
    }, resolve, weight)));
    await Promise.all(done);
    // 1 + 5, then C would make 12: the round ends (D, which would fit, does not jump ahead);
    // then C + D, 10, the bound itself.
    expect(rounds).toEqual([['A', 'B'], ['C', 'D']]);
  });
});

describe('pauses of a large round (issue 12, small lane)', () => {
  const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

  it('runs the small syncs of other users in a pause; store calls and the busy users\' requests wait for the round', async () => {
    const queue = createJobQueue({ group: { maxJobs: 16, maxWeight: 8000 } });
    const order: string[] = [];
    let chunk: () => void = () => {};
    const done: Promise<unknown>[] = [];
    const add = (kind: 'small' | 'large', name: string, user?: string, run?: () => Promise<void>): void => {
      done.push(new Promise((resolve) => queue.add(kind, async () => {
        order.push(name);
        await run?.();
      }, resolve, 1, user)));
    };
    // A large round of alice's that commits two chunks, pausing between them.
    add('large', 'L-alice', undefined, async () => {
      order.push('chunk 1');
      await new Promise<void>((r) => (chunk = r));
      await queue.pause(new Set(['alice']));
      order.push('chunk 2');
    });
    await nextTurn();
    add('small', 'store call'); // no user: waits for the round
    add('small', 'S-alice', 'alice'); // the busy user: waits for the round
    add('small', 'S-bob', 'bob');
    add('small', 'S-carol', 'carol');
    chunk();
    await Promise.all(done);
    expect(order).toEqual(['L-alice', 'chunk 1', 'S-bob', 'S-carol', 'chunk 2', 'store call', 'S-alice']);
  });

  it('skips a busy user\'s small job in a pause, and takes the other users\' after it', async () => {
    const queue = createJobQueue({ group: { maxJobs: 16, maxWeight: 8000 } });
    const order: string[] = [];
    let chunk: () => void = () => {};
    const done: Promise<unknown>[] = [];
    done.push(new Promise((resolve) => queue.add('large', async () => {
      await new Promise<void>((r) => (chunk = r));
      order.push('chunk 1');
      await queue.pause(new Set(['alice']));
      order.push('chunk 2');
    }, resolve)));
    await nextTurn();
    for (const user of ['bob', 'alice', 'carol']) done.push(new Promise((resolve) => queue.add('small', () => order.push(user), resolve, 1, user)));
    chunk();
    await Promise.all(done);
    expect(order).toEqual(['chunk 1', 'bob', 'carol', 'chunk 2', 'alice']);
  });

  it('runs one small round per pause, and resolves at once outside a large round', async () => {
    const queue = createJobQueue({ group: { maxJobs: 2, maxWeight: 8000 } });
    const order: string[] = [];
    await queue.pause(new Set()); // nothing running: no wait, nothing run
    const done: Promise<unknown>[] = [];
    let go: () => void = () => {};
    done.push(new Promise((resolve) => queue.add('large', async () => {
      await new Promise<void>((r) => (go = r));
      for (let i = 1; i <= 3; i++) {
        order.push(`chunk ${i}`);
        await queue.pause(new Set());
      }
    }, resolve)));
    await nextTurn();
    for (const name of ['S1', 'S2', 'S3', 'S4', 'S5']) {
      done.push(new Promise((resolve) => queue.add('small', () => {
        order.push(name);
        return queue.pause(new Set()); // a pause within a pause: at once
      }, resolve, 1, name)));
    }
    go();
    await Promise.all(done);
    expect(order).toEqual(['chunk 1', 'S1', 'S2', 'chunk 2', 'S3', 'S4', 'chunk 3', 'S5']);
  });

  it('resolves a pause at once outside a large round: before the first, after one ended, and in a small job', async () => {
    const queue = createJobQueue();
    const atOnce = async (): Promise<boolean> => {
      let resolved = false;
      void queue.pause(new Set()).then(() => (resolved = true));
      for (let i = 0; i < 3; i++) await Promise.resolve(); // microtasks only: no turn of the event loop
      return resolved;
    };
    expect(await atOnce()).toBe(true);
    await new Promise((resolve) => queue.add('large', () => 'L', resolve));
    await nextTurn(); // the round's end, which comes a few microtasks after its job's answer
    expect(await atOnce()).toBe(true);
    await new Promise((resolve) => queue.add('large', () => { throw new Error('failed'); }, resolve));
    await nextTurn();
    expect(await atOnce()).toBe(true);
    let inSmall: boolean | undefined;
    await new Promise((resolve) => queue.add('small', async () => { inSmall = await atOnce(); }, resolve));
    expect(inSmall).toBe(true);
  });

  it('takes in a pause the small jobs that arrived in the turn it waits for', async () => {
    const queue = createJobQueue();
    const order: string[] = [];
    let bob: Promise<unknown> = Promise.resolve();
    await new Promise((resolve) => queue.add('large', async () => {
      order.push('chunk 1');
      // A request that reaches the thread's port while the chunk commits: its message is an event of the next turn.
      setImmediate(() => { bob = new Promise((r) => queue.add('small', () => order.push('bob'), r, 1, 'bob')); });
      await queue.pause(new Set(['alice']));
      order.push('chunk 2');
    }, resolve, 1, 'alice'));
    await bob;
    expect(order).toEqual(['chunk 1', 'bob', 'chunk 2']);
  });

  it('lets a large round go after the small jobs that waited for it, however many small ones keep arriving', async () => {
    const queue = createJobQueue();
    const order: string[] = [];
    const done: Promise<unknown>[] = [];
    let n = 0;
    // Each small job queues another: a stream of small requests that never ends by itself.
    const addSmall = (): void => {
      const name = `S${++n}`;
      done.push(new Promise((resolve) => queue.add('small', () => {
        order.push(name);
        if (n < 40) addSmall();
      }, resolve)));
    };
    addSmall();
    addSmall();
    done.push(new Promise((resolve) => queue.add('large', () => order.push('L'), resolve)));
    await Promise.all(done);
    while (n < 40 || queue.waiting > 0) await nextTurn();
    expect(order).toHaveLength(41);
    // S1 and S2 waited when the queue started: they go first, then L; the ones they queued go after it.
    expect(order.slice(0, 4)).toEqual(['S1', 'S2', 'L', 'S3']);
  });
});

describe('whether small jobs are about', () => {
  it('says so while one waits and for a second after one was added', async () => {
    let now = 0;
    const queue = createJobQueue({ now: () => now });
    expect(queue.smallActive).toBe(false);
    let release: () => void = () => {};
    const large = new Promise((resolve) => queue.add('large', () => new Promise<void>((r) => (release = r)), resolve));
    await new Promise((r) => setImmediate(r));
    expect(queue.smallActive).toBe(false); // large jobs alone: their rounds stay whole
    const small = new Promise((resolve) => queue.add('small', () => 'S', resolve));
    now = 5000;
    expect(queue.smallActive).toBe(true); // it waits
    release();
    await Promise.all([large, small]);
    expect(queue.smallActive).toBe(false); // done, and added 5 s ago
    await new Promise((resolve) => queue.add('small', () => 'T', resolve)); // added at 5000, run
    now += 999;
    expect(queue.smallActive).toBe(true);
    now += 1;
    expect(queue.smallActive).toBe(false);
  });

  it('says so during a large round whose request arrived within a second of one, however long it took to reach the queue', async () => {
    let now = 0;
    const queue = createJobQueue({ now: () => now });
    await new Promise((resolve) => queue.add('small', () => 'S', resolve)); // at 0
    const seen: boolean[] = [];
    const round = (arrivedAt?: number): Promise<unknown> => new Promise((resolve) => queue.add('large', () => seen.push(queue.smallActive), resolve, 1, undefined, arrivedAt));
    now = 3000; // read and parsed for seconds on a busy server
    await round(900); // arrived 900 ms after the small one
    await round(1000); // a second after it: no longer about
    await round(); // no arrival said: the last second only
    expect(seen).toEqual([true, false, false]);
    expect(queue.smallActive).toBe(false); // outside a round, the last second only
    // A small one that came while the round's request was read: about, too.
    await new Promise((resolve) => queue.add('small', () => 'T', resolve)); // at 3000
    now = 6000;
    await round(2500);
    expect(seen.at(-1)).toBe(true);
  });

  it('takes a grouped round\'s earliest arrival, and counts what waits', async () => {
    let now = 0;
    const queue = createJobQueue({ now: () => now, group: { maxJobs: 4, maxWeight: 100 } });
    await new Promise((resolve) => queue.add('small', () => 'S', resolve)); // at 0
    now = 5000;
    let seen: boolean | undefined;
    let started = 0;
    const done = [2500, 900].map((arrivedAt) => new Promise((resolve) => queue.add('large', () => {
      started++;
      seen = queue.smallActive;
    }, resolve, 1, undefined, arrivedAt)));
    expect(queue.waiting).toBe(2);
    await Promise.all(done);
    expect(queue.waiting).toBe(0);
    // One round of both: its first request (at 900) came within a second of the small job at 0.
    expect(started).toBe(2);
    expect(seen).toBe(true);
  });

  it('stamps arrivals in epoch milliseconds, the same clock in every thread', () => {
    // Epoch ms, not a thread's own time (performance.now() alone reads from 0). Compared
    // within a second, not to the millisecond: the monotonic clock behind it and the wall
    // clock drift apart while NTP slews one of them (2.5 ms in one CI run, which failed a
    // bound of 2 ms); a thread-relative time would be off by decades.
    const before = Date.now();
    const at = arrivalClock();
    expect(at).toBeGreaterThanOrEqual(before - 1000);
    expect(at).toBeLessThanOrEqual(Date.now() + 1000);
  });
});
