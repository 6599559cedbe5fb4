/**
 * planMerge's `changes` (the rows each table's listeners hear about) and its writes, on the
 * path every pulled page takes: messages come row by row, and a row is mostly the one before.
 */
import { describe, expect, it } from 'vitest';
import { defineSchema, type Message } from '../index.ts';
import { formatHlc } from '../hlc.ts';
import { cellsOf, planMerge } from '../merge.ts';
import { cellKey, rowKey } from '../message.ts';

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

  it('names no row whose every message loses, to the store or to the batch', () => {
    const lost = m('todos', 'r0', 'title', 'loses to the store');
    const list = [lost, m('todos', 'r1', 'title', 'wins'), m('lists', 'r9', 'title', 'wins too')];
    const stored = formatHlc({ millis: Date.parse(lost.hlc.slice(0, 24)) + 60_000, counter: 0, clientId: 'store' });
    const plan = planMerge(schema, list, new Map([[cellKey('todos', 'r0', 'title'), stored]]));
    expect(plan.changes).toEqual({ todos: ['r1'], lists: ['r9'] });
    expect(planMerge(schema, [lost], new Map([[cellKey('todos', 'r0', 'title'), stored]])).changes).toEqual({});
  });

  it('names the rows of tables named like Object members (constructor, toString) in lists of their own', () => {
    const odd = defineSchema({ version: 1, tables: { constructor: { title: 'string' as const }, toString: { title: 'string' as const } } });
    const plan = planMerge(odd, [m('constructor', 'r1', 'title', 'a'), m('toString', 'r2', 'title', 'b'), m('constructor', 'r3', 'title', 'c')], new Map());
    expect(plan.changes).toEqual({ constructor: ['r1', 'r3'], toString: ['r2'] });
    expect(Object.keys(plan.changes)).toEqual(['constructor', 'toString']);
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

  it('looks up no cell for a message newer than every winner, and every cell for one that is not', () => {
    const older = m('todos', 'r1', 'title', 'older than the store\'s newest');
    const stored = [m('todos', 'r2', 'title', 'stored'), m('todos', 'r1', 'done', 'stored')];
    const newer = [m('todos', 'r1', 'title', 'newer'), m('todos', 'r2', 'title', 'newer'), m('todos', 'r1', 'done', true)];
    const asked: string[] = [];
    const map = new Map(stored.map((w) => [cellKey(w.table, w.row, w.column), w.hlc]));
    const counting = { get: (k: string) => (asked.push(k), map.get(k)), values: () => map.values(), size: map.size } as unknown as ReadonlyMap<string, string>;
    expect(planMerge(schema, newer, counting).writes).toEqual(newer);
    expect(asked).toEqual([]);
    // Older than one winner (r1.done's): its cell is looked up, and it wins where it has none.
    expect(planMerge(schema, [older], counting).writes).toEqual([older]);
    expect(asked).toEqual([cellKey('todos', 'r1', 'title')]);
    const loser = m('todos', 'r2', 'title', 'x');
    map.set(cellKey('todos', 'r2', 'title'), formatHlc({ millis: Date.parse(loser.hlc.slice(0, 24)) + 1, counter: 0, clientId: 'store' }));
    expect(planMerge(schema, [loser], counting).writes).toEqual([]);
  });

  it('finds a cell of the batch behind the row\'s other cells, in the same table only, and against the store\'s winner', () => {
    const schema3 = defineSchema({ version: 1, tables: { todos: { title: 'string', done: 'boolean', note: 'string' }, lists: { title: 'string' } } });
    const first = m('todos', 'r1', 'title', 'first');
    const lost = m('todos', 'r1', 'note', 'loses to the store');
    const list = [
      first, m('todos', 'r1', 'done', true), lost, m('lists', 'r1', 'title', 'another table'),
      m('todos', 'r2', 'title', 'another row'), m('todos', 'r1', 'title', 'last'), m('todos', 'r1', 'note', 'beats the store'),
    ];
    const stored = formatHlc({ millis: Date.parse(lost.hlc.slice(0, 24)) + 1, counter: 0, clientId: 'store' });
    const plan = planMerge(schema3, list, new Map([[cellKey('todos', 'r1', 'note'), stored]]));
    expect(plan.writes.map((w) => [w.table, w.row, w.column, w.value])).toEqual([
      ['todos', 'r1', 'title', 'last'],
      ['todos', 'r1', 'done', true],
      ['lists', 'r1', 'title', 'another table'],
      ['todos', 'r2', 'title', 'another row'],
      ['todos', 'r1', 'note', 'beats the store'],
    ]);
  });

  it('a row\'s keys start with rowKey; cellsOf is the batch itself when every message is declared, and a copy without the others', () => {
    expect(rowKey('todos', 'r1') + 'title').toBe(cellKey('todos', 'r1', 'title'));
    const declared = [m('todos', 'r1', 'title', 'a'), m('lists', 'r1', 'title', 'b')];
    expect(cellsOf(schema, declared)).toBe(declared);
    const undeclared = m('notes', 'r1', 'body', 'c');
    const mixed = [declared[0] as Message, undeclared, m('todos', 'r1', 'color', 'red'), declared[1] as Message];
    expect(cellsOf(schema, mixed)).toEqual([declared[0], declared[1]]);
    expect(mixed).toHaveLength(4);
  });
});
