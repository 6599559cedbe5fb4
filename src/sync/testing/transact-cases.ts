/**
 * The client-store suite's cases for the optional `transact(cells, plan)`: the cells' winners
 * read and the plan's commit applied in one step, nothing of a failed one written, and a
 * one-cell commit of any shape applied whole (a store may write the commonest one a faster
 * way). Separate from the suite's list (store-conformance.ts).
 */
import { cellKey } from '../message.ts';
import type { Cell } from '../store.ts';
import { check, checkEqual, checkRejects } from './assert.ts';
import { hlcs, isSchemaRefusal, type StoreCase } from './store-case.ts';
import { msg, requireOptional, write } from './store-fixtures.ts';

export const TRANSACT_CASES: readonly StoreCase[] = [
  {
    name: 'transact (optional): winners and a commit in one step',
    optional: 'transact',
    async run({ store, readRow }) {
      requireOptional(store, 'transact');
      const old = msg(1, 'notes', 'a', 'title', 'old');
      await store.commit({ insert: [old], writes: [write(old)] });
      const cells = [{ table: 'notes', row: 'a', column: 'title' }, { table: 'notes', row: 'b', column: 'title' }];
      const seen: (string | null)[] = [];
      const next = msg(2, 'notes', 'a', 'title', 'new');
      await store.transact(cells, (newest) => {
        seen.push(newest);
        return { insert: [next], writes: [write(next)] };
      });
      checkEqual(seen, [old.hlc], 'plan is called once, with the greatest winner of the cells');
      checkEqual((await readRow('notes', 'a'))?.title, 'new', 'the commit plan returns is applied');
      checkEqual(Object.fromEntries(await store.winners(cells)), { [cellKey('notes', 'a', 'title')]: next.hlc }, 'winners after it');
      checkEqual(hlcs(await store.messages({ kind: 'pending', limit: 10 })), [old.hlc, next.hlc], 'its message is stored');
      // A plan that throws, or a commit that cannot be applied: nothing is written.
      const boom = new Error('plan failed');
      const thrown = await checkRejects(() => store.transact?.(cells, () => {
        throw boom;
      }), 'a plan that throws');
      check(thrown === boom, 'transact throws the error plan threw');
      const later = msg(3, 'notes', 'b', 'title', 'later');
      const refused = await checkRejects(() => store.transact?.(cells, () => ({ insert: [later], writes: [write(later), { ...write(later), column: 'nope' }] })), 'a commit with an undeclared column');
      check(isSchemaRefusal(refused), `a write to an undeclared column is a schema error, got ${String(refused)}`);
      check((await readRow('notes', 'b')) === undefined, 'nothing of a failed transact is written');
      checkEqual(hlcs(await store.messages({ kind: 'recent', limit: 10 })), [next.hlc, old.hlc], 'no message of a failed transact is stored');
      checkEqual(Object.fromEntries(await store.winners(cells)), { [cellKey('notes', 'a', 'title')]: next.hlc }, 'winners after failed ones');
      const newest: (string | null)[] = [];
      const b = msg(4, 'notes', 'b', 'title', 'b');
      await store.transact([cells[1] as Cell], (n) => (newest.push(n), { insert: [b], writes: [write(b)] }));
      const c = msg(5, 'notes', 'c', 'done', true);
      await store.transact([{ table: 'notes', row: 'c', column: 'done' }, { table: 'notes', row: 'c', column: 'title' }], (n) => (newest.push(n), { insert: [c], writes: [write(c)] }));
      const both = msg(6, 'notes', 'c', 'title', 'both');
      await store.transact([{ table: 'notes', row: 'c', column: 'title' }, { table: 'notes', row: 'c', column: 'done' }], (n) => (newest.push(n), { insert: [both], writes: [write(both)] }));
      const last = msg(7, 'notes', 'c', 'body', 'last');
      await store.transact([{ table: 'notes', row: 'c', column: 'done' }, { table: 'notes', row: 'c', column: 'title' }], (n) => (newest.push(n), { insert: [last], writes: [write(last)] }));
      checkEqual(newest, [null, null, c.hlc, both.hlc], 'plan gets null for cells never written, else the greatest of their winners');
    },
  },
  // A store may write the commonest commit (one new local message of the one cell asked) a
  // faster way; every other commit for one cell must still be applied whole.
  {
    name: 'transact (optional): for one cell, a commit of any other shape is applied whole',
    optional: 'transact',
    async run({ store, readRow }) {
      requireOptional(store, 'transact');
      const cell: Cell = { table: 'notes', row: 'a', column: 'title' };
      const first = msg(1, 'notes', 'a', 'title', 'first');
      await store.transact([cell], () => ({ insert: [first], writes: [write(first)] }));
      const title = msg(2, 'notes', 'a', 'title', 'title');
      const done = msg(3, 'notes', 'a', 'done', true);
      await store.transact([cell], () => ({ insert: [title, done], writes: [write(title), write(done)] }));
      const row = await readRow('notes', 'a');
      checkEqual([row?.title, row?.done], ['title', true], 'two messages for one asked cell: both cells written');
      checkEqual(hlcs(await store.messages({ kind: 'pending', limit: 10 })), [first.hlc, title.hlc, done.hlc], 'both pending, and the replaced one');
      const synced = msg(4, 'notes', 'a', 'title', 'synced', { synced: true });
      await store.transact([cell], () => ({ insert: [synced], writes: [write(synced)] }));
      checkEqual((await readRow('notes', 'a'))?.title, 'synced', 'a synced local message is written');
      checkEqual(hlcs(await store.messages({ kind: 'pending', limit: 10 })), [first.hlc, title.hlc, done.hlc], 'and is not pending');
      const nope = msg(5, 'notes', 'a', 'nope', 'x');
      const refused = await checkRejects(() => store.transact?.([{ table: 'notes', row: 'a', column: 'nope' }], () => ({ insert: [nope], writes: [write(nope)] })), 'one message of an undeclared column');
      check(isSchemaRefusal(refused), `one write to an undeclared column is a schema error, got ${String(refused)}`);
      checkEqual(hlcs(await store.messages({ kind: 'recent', limit: 10 })), [synced.hlc, done.hlc, title.hlc, first.hlc], 'and nothing of it is stored');
    },
  },
];
