/**
 * The SQLite store thread's queue (issue 11 item 3): one job at a time, and a small job that
 * arrives while a large one runs goes next, before the large ones already waiting.
 */
import { describe, expect, it } from 'vitest';
import { createJobQueue } from '../ingest/job-queue.ts';

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
});
