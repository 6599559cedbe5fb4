/**
 * planMerge's `changes` (the rows each table's listeners hear about) and its writes, on the
 * path every pulled page takes: messages come row by row, and a row is mostly the one before.
 */
import { describe, expect, it } from 'vitest';
import { defineSchema, type Message } from '../index.ts';
import { formatHlc } from '../hlc.ts';
import { planMerge } from '../merge.ts';

const schema = defineSchema({ version: 1, tables: { todos: { title: 'string', done: 'boolean' }, lists: { title: 'string' } } });
let n = 0;
const m = (table: string, row: string, column: string, value: unknown): Message =>
  ({ hlc: formatHlc({ millis: 1_800_000_000_000 + n++, counter: 0, clientId: 'other' }), table, row, column, value }) as Message;

describe('planMerge', () => {
  it('names every changed row once per table, whatever the order of the messages', () => {
    const list = [
      m('todos', 'r1', 'title', 'a'), m('todos', 'r1', 'done', true),
      m('lists', 'r1', 'title', 'same id, another table'),
      m('todos', 'r2', 'title', 'b'), m('todos', 'r1', 'title', 'again'),
      m('lists', 'r2', 'title', 'c'), m('todos', 'r2', 'done', false),
    ];
    const plan = planMerge(schema, list, new Map());
    expect(Object.fromEntries(Object.entries(plan.changes).map(([t, rows]) => [t, [...rows].sort()]))).toEqual({ todos: ['r1', 'r2'], lists: ['r1', 'r2'] });
  });

  it('writes each cell once, with its winning message\'s value and hlc', () => {
    const older = m('todos', 'r1', 'title', 'older');
    const newer = m('todos', 'r1', 'title', 'newer');
    const plan = planMerge(schema, [newer, older, m('todos', 'r1', 'done', true)], new Map());
    expect(plan.writes.map((w) => [w.table, w.row, w.column, w.value, w.hlc])).toEqual([
      ['todos', 'r1', 'title', 'newer', newer.hlc],
      ['todos', 'r1', 'done', true, plan.writes[1]?.hlc],
    ]);
    expect(plan.writes[1]?.hlc).toBeTypeOf('string');
  });

  it('looks winners up only when there are some, and never takes a winners map without a size for an empty one', () => {
    const old = m('todos', 'r1', 'title', 'old');
    const winner = m('todos', 'r1', 'title', 'winner');
    const key = `todos\u0000r1\u0000title`;
    // A store's answer that is map-like (get and values) but has no size of its own.
    const mapLike = { get: (k: string) => (k === key ? winner.hlc : undefined), values: () => [winner.hlc].values() } as unknown as ReadonlyMap<string, string>;
    expect(planMerge(schema, [old], mapLike).writes).toEqual([]);
    expect(planMerge(schema, [old], new Map([[key, winner.hlc]])).writes).toEqual([]);
    expect(planMerge(schema, [old], new Map()).writes).toEqual([old]);
  });
});

