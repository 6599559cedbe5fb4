/** This device's writes on their way to the server (unsent-writes.ts): what is pending, what arrived when, how many rows wait. */
import { describe, expect, it } from 'vitest';
import { createUnsentWrites } from '../unsent-writes.ts';

const write = (hlc: string, row: string, table = 'todos') => ({ hlc, table, row });

describe('unsent writes', () => {
  it('counts rows, not fields: a new todo is one change however many fields it has', () => {
    const u = createUnsentWrites(() => 0, [], 0);
    u.pending(5);
    u.wrote(['a', 'b', 'c', 'd', 'e'].map((h) => write(h, 'todo-1')));
    expect(u.rows()).toBe(1);
    u.pending(7);
    u.wrote([write('f', 'todo-2'), write('g', 'list-1', 'lists')]);
    expect(u.rows()).toBe(3);
  });

  it('takes the oldest as pushed when the pending count drops, with the time they arrived', () => {
    let now = 100;
    const u = createUnsentWrites(() => now, [write('a', 'r1')], 1);
    u.pending(3);
    u.wrote([write('b', 'r2'), write('c', 'r3')]);
    now = 250;
    u.pending(1);
    expect([u.isPending('a'), u.isPending('b'), u.isPending('c')]).toEqual([false, false, true]);
    expect([u.reachedServerAt('a'), u.reachedServerAt('c')]).toEqual([250, undefined]);
    expect(u.rows()).toBe(1);
    u.pending(0);
    expect(u.rows()).toBe(0);
  });

  it('counts the rows of the tables asked for only', () => {
    const u = createUnsentWrites(() => 0, [write('a', 'todo-1')], 1);
    u.pending(3);
    u.wrote([write('b', 'list-1', 'lists'), write('c', 'list-2', 'lists')]);
    expect(u.rows((t) => t === 'lists')).toBe(2);
    expect(u.rows((t) => t === 'todos')).toBe(1);
    expect(u.rows((t) => t === 'devices')).toBe(0);
  });

  it('remembers when the last 20,000 arrived, forgetting the oldest', () => {
    const u = createUnsentWrites(() => 7, [], 0);
    const hlcs = Array.from({ length: 20_001 }, (_, i) => `h${i}`);
    u.pending(20_000);
    u.wrote(hlcs.slice(0, 20_000).map((h) => write(h, h)));
    u.pending(0);
    expect([u.reachedServerAt('h0'), u.reachedServerAt('h19999')]).toEqual([7, 7]);
    u.pending(1);
    u.wrote([write('h20000', 'h20000')]);
    u.pending(0);
    expect([u.reachedServerAt('h0'), u.reachedServerAt('h1'), u.reachedServerAt('h20000')]).toEqual([undefined, 7, 7]);
  });
});
