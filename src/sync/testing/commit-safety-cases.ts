/**
 * The client-store suite's cases for what every commit must keep, whatever it holds: values
 * and row ids stored exactly (never as SQL), a write outside the schema refused with nothing
 * of its commit stored, a commit that fails partway leaving nothing of itself, the tombstone
 * column, a large commit. Separate from the suite's list (store-conformance.ts) and from the
 * cases of what a commit does (commit-cases.ts): these hold whatever the store keeps.
 */
import type { MessageUpdate, StoredMessage } from '../store.ts';
import { check, checkEqual, checkRejects } from './assert.ts';
import { hlcs, isSchemaRefusal, type StoreCase } from './store-case.ts';
import { TRICKY_ROWS, TRICKY_VALUES, msg, schemaV1, write } from './store-fixtures.ts';

export const COMMIT_SAFETY_CASES: readonly StoreCase[] = [
  {
    name: 'values round-trip exactly, in messages and in data',
    async run({ store, readRow }) {
      const insert = TRICKY_VALUES.map((v, i) => msg(i + 1, 'notes', `v${i}`, 'meta', v));
      await store.commit({ insert, writes: insert.map(write) });
      const back = await store.messages({ kind: 'recent', limit: 100 });
      checkEqual([...back].reverse().map((m) => m.value), TRICKY_VALUES, 'message values');
      for (let i = 0; i < TRICKY_VALUES.length; i++) {
        checkEqual((await readRow('notes', `v${i}`))?.meta ?? null, TRICKY_VALUES[i], `data value ${i}`);
      }
      const typed = { title: 'Ünïcode 👍 "q"', body: null, count: -42, score: 3.25, done: true };
      await store.commit({ writes: Object.entries(typed).map(([column, value], i) => write(msg(i + 1, 'notes', 'typed', column, value))) });
      const row = await readRow('notes', 'typed');
      checkEqual({ title: row?.title, body: row?.body ?? null, count: row?.count, score: row?.score, done: row?.done }, typed, 'typed columns');
    },
  },
  {
    name: 'row ids are data, never SQL',
    async run({ store, readRow }) {
      const insert = TRICKY_ROWS.map((row, i) => msg(i + 1, 'notes', row, 'title', `title ${i}`));
      await store.commit({ insert, writes: insert.map(write) });
      for (let i = 0; i < TRICKY_ROWS.length; i++) {
        checkEqual((await readRow('notes', TRICKY_ROWS[i] as string))?.title, `title ${i}`, `row ${JSON.stringify(TRICKY_ROWS[i])}`);
      }
      checkEqual(hlcs(await store.messages({ kind: 'recent', limit: 100 })).length, TRICKY_ROWS.length, 'all messages kept');
    },
  },
  {
    name: 'a write outside the schema throws and the whole commit is discarded',
    async run({ store, readRow }) {
      await store.commit({ meta: { before: 'yes' } });
      for (const bad of [
        { table: 'notes; DROP TABLE notes', row: 'r', column: 'title', value: 'x' },
        { table: 'notes', row: 'r', column: 'title" = 1; --', value: 'x' },
        { table: 'notes', row: 'r', column: 'nope', value: 'x' },
        { table: 'sqlite_master', row: 'r', column: 'name', value: 'x' },
      ]) {
        const err = await checkRejects(
          () => store.commit({
            insert: [msg(1, 'notes', 'r', 'title', 'x')],
            writes: [write(msg(1, 'notes', 'r', 'title', 'x')), { ...bad, hlc: msg(2, '', '', '', 0).hlc }],
            meta: { before: 'no' },
          }),
          `write to ${bad.table}.${bad.column}`,
        );
        check(isSchemaRefusal(err), `a schema error, got ${String(err)}`);
      }
      checkEqual(await store.messages({ kind: 'recent', limit: 10 }), [], 'no message stored');
      check((await readRow('notes', 'r')) === undefined, 'no row written');
      checkEqual((await store.open(schemaV1)).meta, { before: 'yes' }, 'meta unchanged');
    },
  },
  {
    name: 'a commit that fails partway, after its first statements, leaves nothing of itself',
    async run({ store, readRow }) {
      const kept = msg(1, 'notes', 'k', 'title', 'kept');
      const synced = msg(2, 'notes', 'k', 'body', 'synced', { local: false });
      await store.commit({ insert: [kept, synced], writes: [write(kept), write(synced)], meta: { before: 'yes' } });
      const snapshot = async (): Promise<unknown> => ({
        state: await store.open(schemaV1),
        messages: await store.messages({ kind: 'recent', limit: 100 }),
        rows: [await readRow('notes', 'k'), await readRow('notes', 'a'), await readRow('tags', 't')],
        winners: Object.fromEntries(await store.winners([kept, synced, { table: 'notes', row: 'a', column: 'title' }])),
      });
      const before = await snapshot();
      const a = msg(3, 'notes', 'a', 'title', 'A');
      const b = msg(4, 'tags', 't', 'name', 'B');
      // Each commit below does real work first (removes, inserts, updates, writes), then meets
      // a field that throws when the store reads it: the failure comes from inside the commit.
      // Each poisoned field is one every store reads: an inserted message's `hlc` (it is stored
      // once per hlc; a store may keep the message object itself, never reading its value:
      // until round 58 its value was poisoned, and such a store failed this case), an update's
      // flag, a write's value.
      for (const where of ['insert', 'update', 'writes'] as const) {
        const commit = {
          remove: [synced.hlc],
          insert: where === 'insert' ? [a, poisonedHlc(b)] : [a, b],
          update: [{ hlc: kept.hlc, synced: true }, ...(where === 'update' ? [poisonedUpdate(kept.hlc)] : [])],
          writes: [write(a), where === 'writes' ? poisoned(write(b)) : write(b)],
          meta: { before: 'no', after: 'yes' },
        };
        await checkRejects(() => store.commit(commit), `a commit with a failing value in ${where}`);
        checkEqual(await snapshot(), before, `after a commit that failed in ${where}, the store is as before`);
      }
      await store.commit({ insert: [a], writes: [write(a)] });
      checkEqual((await readRow('notes', 'a'))?.title, 'A', 'the store still works');
    },
  },
  {
    name: 'the _deleted tombstone column is writable',
    async run({ store, readRow }) {
      await store.commit({ writes: [write(msg(1, 'notes', 'gone', '_deleted', true))] });
      checkEqual((await readRow('notes', 'gone'))?._deleted, true, 'tombstone');
    },
  },
  {
    name: 'a large commit applies completely',
    async run({ store, readRow }) {
      const insert = Array.from({ length: 3000 }, (_, i) => msg(i + 1, 'tags', `t${i % 1000}`, 'name', `name ${i}`));
      await store.commit({ insert, writes: insert.slice(2000).map(write) });
      check((await store.open(schemaV1)).pendingCount === 3000, 'all pending');
      checkEqual((await readRow('tags', 't999'))?.name, 'name 2999', 'last write');
    },
  },
];

/** A copy of `o` whose `value` throws when read (as a broken serializer or driver would, midway). */
function poisoned<T extends { value: unknown }>(o: T): T {
  const copy = { ...o };
  Object.defineProperty(copy, 'value', { enumerable: true, get: () => { throw new Error('injected failure: unreadable value'); } });
  return copy;
}

/** A message whose `hlc` throws when read. */
function poisonedHlc(m: StoredMessage): StoredMessage {
  const copy = { ...m };
  Object.defineProperty(copy, 'hlc', { enumerable: true, get: () => { throw new Error('injected failure: unreadable hlc'); } });
  return copy;
}

/** A flag update whose `synced` throws when read. */
function poisonedUpdate(hlc: string): MessageUpdate {
  const u = { hlc };
  Object.defineProperty(u, 'synced', { enumerable: true, get: () => { throw new Error('injected failure: unreadable flag'); } });
  return u as MessageUpdate;
}
