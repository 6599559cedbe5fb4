/**
 * The client-store suite's cases for `open(schema)` and what it returns: the state of an
 * empty store, the meta entries commits set, everything kept across a restart, a new schema
 * version over old data. Separate from the suite's list (store-conformance.ts): what a
 * store author reads when a case about opening fails.
 */
import { cellKey } from '../message.ts';
import { checkEqual } from './assert.ts';
import type { StoreCase } from './store-case.ts';
import { msg, schemaV1, schemaV2, write } from './store-fixtures.ts';

export const OPEN_CASES: readonly StoreCase[] = [
  {
    name: 'open on an empty store returns empty state',
    async run(h, reopen) {
      const h2 = await reopen(h);
      const state = await h2.store.open(schemaV1);
      checkEqual(state, { meta: {}, maxHlc: null, pendingCount: 0 }, 'fresh state');
      return h2;
    },
  },
  {
    name: 'meta entries are set, merged and overwritten',
    async run({ store }) {
      await store.commit({ meta: { a: '1', b: 'two' } });
      await store.commit({ meta: { b: '2', c: 'x y "z"' } });
      checkEqual((await store.open(schemaV1)).meta, { a: '1', b: '2', c: 'x y "z"' }, 'meta');
    },
  },
  {
    name: 'everything survives a restart',
    restart: true,
    async run(h, reopen) {
      const m = msg(1, 'notes', 'a', 'title', 'kept');
      await h.store.commit({ insert: [m, msg(2, 'x', 'y', 'z', 1, { local: false, applied: false, error: 'unknown' })], writes: [write(m)], meta: { cursor: '42' } });
      const h2 = await reopen(h);
      const state = await h2.store.open(schemaV1);
      checkEqual([state.meta.cursor, state.pendingCount, state.maxHlc], ['42', 1, msg(2, '', '', '', 0, { local: false }).hlc], 'state');
      checkEqual((await h2.readRow('notes', 'a'))?.title, 'kept', 'data');
      checkEqual(await h2.store.messages({ kind: 'pending', limit: 10 }), [m], 'messages');
      checkEqual(Object.fromEntries(await h2.store.winners([m])), { [cellKey('notes', 'a', 'title')]: m.hlc }, 'winners');
      return h2;
    },
  },
  // A store that keeps nothing across a restart meets a new schema on the same instance.
  {
    name: 'a new schema version adds tables and columns and keeps the data',
    async run(h, reopen) {
      await h.store.commit({ writes: [write(msg(1, 'notes', 'a', 'title', 'before'))] });
      const h2 = await reopen(h);
      await h2.store.open(schemaV2);
      await h2.store.commit({
        writes: [write(msg(2, 'notes', 'a', 'color', 'red')), write(msg(3, 'boards', 'b', 'name', 'Board'))],
      });
      checkEqual([(await h2.readRow('notes', 'a'))?.title, (await h2.readRow('notes', 'a'))?.color], ['before', 'red'], 'old and new column');
      checkEqual(Object.fromEntries(await h2.store.winners([{ table: 'notes', row: 'a', column: 'title' }])), { [cellKey('notes', 'a', 'title')]: msg(1, '', '', '', 0).hlc }, 'winners kept');
      checkEqual((await h2.readRow('boards', 'b'))?.name, 'Board', 'new table');
      return h2;
    },
  },
];
