/** This device's writes on their way to the server (unsent-writes.ts): what is pending, what arrived when, how many rows wait. */
import { describe, expect, it } from 'vitest';
import { createUnsentWrites } from '../unsent-writes.ts';

const write = (hlc: string, row: string, table = 'todos', column = 'title') => ({ hlc, table, row, column });

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

  it('agrees with counting the pending writes afresh, over thousands of writes and pushes (seeded)', () => {
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n); // the high bits: an LCG's low bits repeat with a short period
    };
    const u = createUnsentWrites(() => 0, [write('s0', 'row-0'), write('s1', 'row-1', 'lists')], 2);
    const all = [write('s0', 'row-0'), write('s1', 'row-1', 'lists')];
    let pushed = 0; // the oldest `pushed` of `all` reached the server
    for (let step = 0; step < 6000; step++) {
      if (random(4) > 0) {
        const w = write(`h${step}`, `row-${random(60)}`, random(4) === 0 ? 'lists' : 'todos');
        all.push(w);
        u.pending(all.length - pushed); // the status before the write returns says it is pending
        u.wrote([w]);
      } else {
        pushed += Math.min(random(5), all.length - pushed); // a push of a few of the oldest
        u.pending(all.length - pushed);
      }
      const waiting = all.slice(pushed);
      const rowsOf = (table: string) => new Set(waiting.filter((w) => w.table === table).map((w) => w.row)).size;
      expect([u.rows(), u.rows((t) => t === 'lists')]).toEqual([rowsOf('todos') + rowsOf('lists'), rowsOf('lists')]);
      const probe = all[random(all.length)] as { hlc: string };
      expect(u.isPending(probe.hlc)).toBe(waiting.includes(probe as never));
    }
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

  it("keeps each row's writes, pending and arrived, and forgets a write's row when it forgets the write", () => {
    const u = createUnsentWrites(() => 0, [write('a', 'todo-1', 'todos', 'done')], 1);
    u.pending(2);
    u.wrote([write('b', 'todo-1'), write('c', 'todo-2')]);
    u.pending(1); // a and b arrived
    expect(u.rowWrites('todos', 'todo-1').map((w) => [w.hlc, w.column, u.isPending(w.hlc)])).toEqual([['a', 'done', false], ['b', 'title', false]]);
    expect(u.rowWrites('todos', 'todo-2').map((w) => w.hlc)).toEqual(['c']);
    expect(u.rowWrites('lists', 'todo-1')).toEqual([]);
    expect([u.writtenRows('todos'), u.writtenRows('lists')]).toEqual([['todo-1', 'todo-2'], []]);
    // 20,000 more arrive: the oldest are forgotten, by row too.
    u.pending(20_001);
    u.wrote(Array.from({ length: 20_000 }, (_, i) => write(`w${i}`, `row-${i}`)));
    u.pending(0);
    expect(u.rowWrites('todos', 'todo-1')).toEqual([]);
    expect(u.rowWrites('todos', 'row-19999').map((w) => w.hlc)).toEqual(['w19999']);
    expect(u.writtenRows('todos')).toHaveLength(20_000); // todo-1 and todo-2 forgotten, with their writes
    expect(u.writtenRows('todos')).not.toContain('todo-2');
  });
});
