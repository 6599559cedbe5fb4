/**
 * The client-store suite's cases for the reads of cells: `winners(cells)` (the hlc written
 * with each cell's value) and the optional `values(cells)` (the value and hlc kept in it).
 * Separate from the suite's list (store-conformance.ts).
 */
import { cellKey } from '../message.ts';
import { checkEqual } from './assert.ts';
import type { StoreCase } from './store-case.ts';
import { msg, requireOptional, write } from './store-fixtures.ts';

export const CELL_READ_CASES: readonly StoreCase[] = [
  {
    name: 'winners: the hlc written with each cell\'s value',
    async run({ store }) {
      const old = msg(1, 'notes', 'a', 'title', 'old');
      const newest = msg(9, 'notes', 'a', 'title', 'newest', { local: false });
      const b = msg(3, 'notes', 'b', 'title', 'b');
      await store.commit({ insert: [old], writes: [write(old)] });
      await store.commit({
        insert: [newest, b, msg(20, 'notes', 'a', 'body', 'kept', { local: false, applied: false, error: 'type' })],
        writes: [write(newest), write(b)],
      });
      const cells = [
        { table: 'notes', row: 'a', column: 'title' },
        { table: 'notes', row: 'a', column: 'body' },
        { table: 'notes', row: 'b', column: 'title' },
        { table: 'notes', row: 'zzz', column: 'title' },
        { table: 'unknown', row: 'a', column: 'title' },
      ];
      checkEqual(
        Object.fromEntries(await store.winners(cells)),
        { [cellKey('notes', 'a', 'title')]: newest.hlc, [cellKey('notes', 'b', 'title')]: b.hlc },
        'winners: the last write of each cell; cells never written are left out',
      );
      await store.commit({ writes: [{ table: 'notes', row: 'b', column: 'title', value: null, hlc: null }] });
      checkEqual(Object.fromEntries(await store.winners(cells)), { [cellKey('notes', 'a', 'title')]: newest.hlc }, 'a null hlc clears the winner');
      const many = Array.from({ length: 1500 }, (_, i) => ({ table: 'notes', row: `r${i}`, column: 'title' }));
      await store.commit({ writes: many.filter((_, i) => i % 3 === 0).map((c, i) => ({ ...c, value: 'x', hlc: msg(100 + i, '', '', '', 0).hlc })) });
      checkEqual((await store.winners(many)).size, 500, 'many cells in one call');
    },
  },
  {
    name: 'values (optional): the value and hlc kept in each cell',
    optional: 'values',
    async run({ store }) {
      requireOptional(store, 'values');
      const title = msg(4, 'notes', 'a', 'title', 'Oat milk');
      const meta = msg(5, 'notes', 'a', 'meta', { tags: ['x'], n: 1.5 });
      const done = msg(6, 'notes', 'b', 'done', false, { local: false });
      await store.commit({ insert: [title, meta, done], writes: [write(title), write(meta), write(done)] });
      await store.commit({ writes: [{ table: 'notes', row: 'c', column: 'title', value: null, hlc: null }] });
      const cells = [
        { table: 'notes', row: 'a', column: 'title' },
        { table: 'notes', row: 'a', column: 'meta' },
        { table: 'notes', row: 'a', column: 'body' },
        { table: 'notes', row: 'b', column: 'done' },
        { table: 'notes', row: 'c', column: 'title' },
        { table: 'notes', row: 'zzz', column: 'title' },
        { table: 'unknown', row: 'a', column: 'title' },
      ];
      checkEqual(
        Object.fromEntries(await store.values(cells)),
        {
          [cellKey('notes', 'a', 'title')]: { value: 'Oat milk', hlc: title.hlc },
          [cellKey('notes', 'a', 'meta')]: { value: { tags: ['x'], n: 1.5 }, hlc: meta.hlc },
          [cellKey('notes', 'b', 'done')]: { value: false, hlc: done.hlc },
        },
        'values: what the last write of each cell set; cells never written, or cleared, are left out',
      );
    },
  },
];
