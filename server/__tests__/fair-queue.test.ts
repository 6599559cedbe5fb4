/** The parse workers' queue of large bodies, in turns per user (ingest/fair-queue.ts, round 61). */
import { describe, expect, it } from 'vitest';
import { createFairQueue } from '../ingest/fair-queue.ts';

const takeAll = <T>(q: { shift(): T | undefined; readonly length: number }): T[] => {
  const out: T[] = [];
  for (let i = 0; i < 100 && q.length > 0; i++) out.push(q.shift() as T);
  return out;
};

describe('fair queue', () => {
  it('a user with one body waiting goes before the rest of another user\'s backlog', () => {
    const q = createFairQueue<string>();
    for (let i = 1; i <= 4; i++) q.push('a', `a${i}`);
    expect(q.shift()).toBe('a1');
    q.push('v', 'v1');
    expect(q.peek()).toBe('v1');
    expect(takeAll(q)).toEqual(['v1', 'a2', 'a3', 'a4']);
  });

  it('users alternate, each user\'s bodies in their order; ties go in the order the users came', () => {
    const q = createFairQueue<string>();
    for (const [u, n] of [['a', 3], ['b', 2], ['c', 1]] as const) for (let i = 1; i <= n; i++) q.push(u, `${u}${i}`);
    expect(q.length).toBe(6);
    expect(takeAll(q)).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
    expect(q.shift()).toBeUndefined();
  });

  it('a user whose queue emptied once does not tie with a newcomer: their last turn is kept', () => {
    const q = createFairQueue<string>();
    q.push('a', 'a1');
    expect(q.shift()).toBe('a1'); // handed on at once: a's queue is empty
    q.push('a', 'a2');
    q.push('v', 'v1');
    expect(takeAll(q)).toEqual(['v1', 'a2']);
  });

  it('drain takes everything and leaves it empty', () => {
    const q = createFairQueue<number>();
    q.push('a', 1);
    q.push('b', 2);
    expect(q.drain().sort()).toEqual([1, 2]);
    expect(q.length).toBe(0);
    expect(q.peek()).toBeUndefined();
  });
});
