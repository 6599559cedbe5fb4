/**
 * The store conformance suite: run it against your own store to know it keeps the
 * contract. It returns plain cases, so it works with any test runner:
 *
 * ```ts
 * import { storeConformance } from 'fieldsync/testing';
 * for (const c of storeConformance(() => openMyStore())) {
 *   test.skipIf(c.skip !== undefined)(c.skip ? `${c.name} (skipped: ${c.skip})` : c.name, c.run);
 * }
 * ```
 *
 * A store that keeps nothing across a restart passes `{ persistent: false }`: its restart
 * cases come with `skip` and their reason (see ConformanceCase); so do the cases of an
 * optional function the store has not, told with `{ transact: false }` or `{ values: false }`.
 * A store that several connections may share (one file, two processes) passes
 * `{ shared: true }` and a harness with `connect()`, another store on the same database:
 * its shared-store cases (shared-store-cases.ts) run; without it they come with `skip`.
 */
import { SchemaError } from '../errors.ts';
import { cellKey } from '../message.ts';
import type { Schema } from '../schema.ts';
import type { Cell, MessageUpdate, StoredMessage } from '../store.ts';
import { check, checkEqual, checkRejects } from './assert.ts';
import { SHARED_CASES } from './shared-store-cases.ts';
import {
  CONFORMANCE_OPTION_KEYS, NOT_PERSISTENT, NOT_SHARED, TRICKY_ROWS, TRICKY_VALUES, checkSuiteArguments, conformanceCase, connect, msg, notImplemented, requireOptional, restart, schemaV1, schemaV2, write,
  type ConformanceCase, type ConformanceOptions, type OptionalFunction, type StoreHarness,
} from './store-fixtures.ts';

type Harness = StoreHarness;
type Body = (h: Harness) => Promise<Harness | void>;

const hlcs = (list: readonly StoredMessage[]): string[] => list.map((m) => m.hlc);

/**
 * How a store refuses a write outside the schema, in every case alike: a `SchemaError`, or
 * any error that says "schema" (the README's example store throws a plain one).
 */
const isSchemaRefusal = (err: unknown): boolean => err instanceof SchemaError || (err instanceof Error && /schema/i.test(err.message));

export function storeConformance(create: () => StoreHarness | Promise<StoreHarness>, options: ConformanceOptions = {}): ConformanceCase[] {
  checkSuiteArguments('storeConformance', create, options, CONFORMANCE_OPTION_KEYS);
  const persistent = options.persistent ?? true;
  const cases: ConformanceCase[] = [];
  const add = (name: string, body: Body, o: { restart?: boolean; schema?: Schema; optional?: OptionalFunction; shared?: boolean } = {}): void => {
    const optional = o.optional;
    const skip = o.restart && !persistent ? NOT_PERSISTENT
      : o.shared && options.shared !== true ? NOT_SHARED
        : optional !== undefined && options[optional] === false ? notImplemented(optional) : undefined;
    cases.push(conformanceCase(name, skip, create, async (h) => {
      await h.store.open(o.schema ?? schemaV1);
      return body(h);
    }));
  };
  const reopen = (h: Harness): Promise<Harness> => restart(h, persistent);

  add('open on an empty store returns empty state', async (h) => {
    const h2 = await reopen(h);
    const state = await h2.store.open(schemaV1);
    checkEqual(state, { meta: {}, maxHlc: null, pendingCount: 0 }, 'fresh state');
    return h2;
  });

  add('meta entries are set, merged and overwritten', async ({ store }) => {
    await store.commit({ meta: { a: '1', b: 'two' } });
    await store.commit({ meta: { b: '2', c: 'x y "z"' } });
    checkEqual((await store.open(schemaV1)).meta, { a: '1', b: '2', c: 'x y "z"' }, 'meta');
  });

  add('a commit inserts messages and writes cells', async ({ store, readRow }) => {
    await store.commit({
      insert: [msg(2, 'notes', 'n1', 'title', 'Hello'), msg(1, 'notes', 'n1', 'done', false)],
      writes: [write(msg(2, 'notes', 'n1', 'title', 'Hello')), write(msg(1, 'notes', 'n1', 'done', false))],
    });
    const row = await readRow('notes', 'n1');
    check(row, 'the row exists');
    checkEqual([row.title, row.done], ['Hello', false], 'row values');
    checkEqual(hlcs(await store.messages({ kind: 'pending', limit: 10 })), [msg(1, '', '', '', 0).hlc, msg(2, '', '', '', 0).hlc], 'pending, oldest first');
    check((await readRow('notes', 'nope')) === undefined, 'a row never written does not exist');
  });

  add('pending: oldest first, limited, only local unsynced messages without error', async ({ store }) => {
    await store.commit({
      insert: [
        msg(5, 'notes', 'a', 'title', 'five'),
        msg(3, 'notes', 'a', 'title', 'three'),
        msg(4, 'notes', 'a', 'title', 'synced', { synced: true }),
        msg(6, 'notes', 'a', 'title', 'remote', { local: false }),
        msg(7, 'notes', 'a', 'title', 'refused', { applied: false, error: 'invalid' }),
        msg(8, 'notes', 'a', 'title', 'eight'),
      ],
    });
    checkEqual(hlcs(await store.messages({ kind: 'pending', limit: 100 })), hlcs([msg(3, '', '', '', 0), msg(5, '', '', '', 0), msg(8, '', '', '', 0)]), 'pending');
    checkEqual(hlcs(await store.messages({ kind: 'pending', limit: 2 })), hlcs([msg(3, '', '', '', 0), msg(5, '', '', '', 0)]), 'limit');
    checkEqual(hlcs(await store.messages({ kind: 'rejected' })), [msg(7, '', '', '', 0).hlc], 'rejected');
    const reopened = await store.open(schemaV1);
    check(reopened.pendingCount === 3, `pendingCount is 3, got ${reopened.pendingCount}`);
  });

  add('a message already stored is ignored, not replaced', async ({ store }) => {
    const first = msg(1, 'notes', 'a', 'title', 'first');
    await store.commit({ insert: [first] });
    await store.commit({ insert: [{ ...first, value: 'second', synced: true }] });
    const [m] = await store.messages({ kind: 'recent', limit: 10 });
    checkEqual(m, first, 'the first copy stays');
  });

  add('a message already stored, committed again with its write, is stored once: once synced, nothing is pending', async ({ store }) => {
    // Stored in two commits, the second out of hlc order; then the newest comes again with
    // its cell's write (a store that keeps the message in the row now holds two copies).
    const [one, two, three] = [msg(1, 'notes', 'a', 'title', 'one'), msg(2, 'notes', 'b', 'title', 'two'), msg(3, 'notes', 'c', 'title', 'three')];
    await store.commit({ insert: [two] });
    await store.commit({ insert: [three, one] });
    await store.commit({ insert: [three], writes: [write(three)] });
    checkEqual(hlcs(await store.messages({ kind: 'pending', limit: 10 })), hlcs([one, two, three]), 'each pending once');
    await store.commit({ update: [one, two, three].map((m) => ({ hlc: m.hlc, synced: true })) });
    checkEqual(await store.messages({ kind: 'pending', limit: 10 }), [], 'nothing pending once synced');
    checkEqual(hlcs(await store.messages({ kind: 'recent', limit: 10 })), hlcs([three, two, one]), 'recent, each once');
  });

  add('a pulled page committed again (no cell wins) changes nothing', async ({ store, readRow }) => {
    const page = [msg(1, 'notes', 'a', 'title', 'A', { local: false, synced: true }), msg(2, 'notes', 'b', 'title', 'B', { local: false, synced: true })];
    await store.commit({ insert: page, writes: page.map(write) });
    await store.commit({ insert: page });
    checkEqual(hlcs(await store.messages({ kind: 'recent', limit: 10 })), hlcs([...page].reverse()), 'recent, each once');
    checkEqual(await store.messages({ kind: 'cell', table: 'notes', row: 'a', column: 'title' }), [page[0]], 'the cell\'s message, once');
    checkEqual((await readRow('notes', 'b'))?.title, 'B', 'the value');
  });

  add('flags update: synced, applied, error', async ({ store }) => {
    const a = msg(1, 'notes', 'a', 'title', 'A');
    const b = msg(2, 'notes', 'a', 'body', 'B');
    await store.commit({ insert: [a, b] });
    await store.commit({ update: [{ hlc: a.hlc, synced: true }, { hlc: b.hlc, applied: false, error: 'refused: too long' }] });
    checkEqual(await store.messages({ kind: 'pending', limit: 10 }), [], 'nothing pending');
    checkEqual(await store.messages({ kind: 'rejected' }), [{ ...b, applied: false, error: 'refused: too long' }], 'b is set aside');
    checkEqual((await store.messages({ kind: 'recent', limit: 10 })).find((m) => m.hlc === a.hlc), { ...a, synced: true }, 'a is synced');
    await store.commit({ update: [{ hlc: 'no such hlc', synced: true }] });
    // `error: null` clears the error (a kept message applied under a newer schema); a flag
    // left out is left as it is (a store that writes `coalesce(?, error)` keeps the error).
    await store.commit({ update: [{ hlc: b.hlc, applied: true, error: null }] });
    checkEqual(await store.messages({ kind: 'rejected' }), [], 'an error set to null is cleared');
    checkEqual(await store.messages({ kind: 'pending', limit: 10 }), [{ ...b, applied: true, error: null }], 'b is pending again, its other flags as they were');
  });

  add('a synced local message marked unsynced is pending again (starting over with a server)', async ({ store }) => {
    const a = msg(1, 'notes', 'a', 'title', 'A');
    const b = msg(2, 'notes', 'b', 'title', 'B');
    await store.commit({ insert: [a, b, msg(3, 'notes', 'c', 'title', 'remote', { local: false })] });
    await store.commit({ update: [{ hlc: a.hlc, synced: true }, { hlc: b.hlc, synced: true }] });
    check((await store.open(schemaV1)).pendingCount === 0, 'nothing pending once synced');
    await store.commit({ update: [{ hlc: a.hlc, synced: false }, { hlc: b.hlc, synced: false }] });
    checkEqual(await store.messages({ kind: 'pending', limit: 10 }), [a, b], 'pending again, oldest first, as they were');
    check((await store.open(schemaV1)).pendingCount === 2, 'pendingCount counts them');
    checkEqual(hlcs((await store.messages({ kind: 'recent', limit: 10 })).filter((m) => m.local && m.synced)), [], 'none synced');
  });

  add('winners: the hlc written with each cell\'s value', async ({ store }) => {
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
  });

  add('values (optional): the value and hlc kept in each cell', async ({ store }) => {
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
  }, { optional: 'values' });

  add('transact (optional): winners and a commit in one step', async ({ store, readRow }) => {
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
  }, { optional: 'transact' });

  // A store may write the commonest commit (one new local message of the one cell asked) a
  // faster way; every other commit for one cell must still be applied whole.
  add('transact (optional): for one cell, a commit of any other shape is applied whole', async ({ store, readRow }) => {
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
  }, { optional: 'transact' });

  add('remove deletes messages; maxHlc falls back', async (h) => {
    const { store } = h;
    const older = msg(1, 'notes', 'a', 'title', 'older');
    const newer = msg(2, 'notes', 'a', 'title', 'newer');
    await store.commit({ insert: [older, newer], writes: [write(newer)] });
    await store.commit({ remove: [newer.hlc, 'not stored'], writes: [write(older)] });
    checkEqual(Object.fromEntries(await store.winners([older])), { [cellKey('notes', 'a', 'title')]: older.hlc }, 'winner as written');
    checkEqual(hlcs(await store.messages({ kind: 'recent', limit: 10 })), [older.hlc], 'only the older remains');
    checkEqual(await store.messages({ kind: 'cell', table: 'notes', row: 'a', column: 'title' }), [older], 'the cell query forgets it too');
    const h2 = await reopen(h);
    check((await h2.store.open(schemaV1)).maxHlc === older.hlc, 'maxHlc falls back');
    return h2;
  });

  add('queries: unapplied, cell and recent', async ({ store }) => {
    await store.commit({
      insert: [
        msg(1, 'notes', 'a', 'title', 'one'),
        msg(2, 'notes', 'a', 'title', 'two', { local: false }),
        msg(3, 'future', 'a', 'x', 'kept', { local: false, applied: false, error: 'unknown table future' }),
        msg(4, 'notes', 'a', 'done', true),
        msg(5, 'notes', 'a', 'title', 'refused', { applied: false, error: 'invalid' }),
      ],
    });
    checkEqual(hlcs(await store.messages({ kind: 'unapplied' })), [msg(3, '', '', '', 0, { local: false }).hlc], 'unapplied');
    const cell = await store.messages({ kind: 'cell', table: 'notes', row: 'a', column: 'title' });
    checkEqual(hlcs(cell).sort(), hlcs([msg(1, '', '', '', 0), msg(2, '', '', '', 0, { local: false })]), 'cell: applied messages only');
    const recent = await store.messages({ kind: 'recent', limit: 3 });
    checkEqual(recent.map((m) => m.value), ['refused', true, 'kept'], 'recent: newest first, limited');
    await store.commit({
      insert: [
        msg(9, 'future', 'b', 'x', 'later', { local: false, applied: false, error: 'unknown table future' }),
        msg(2, 'future', 'c', 'x', 'between', { local: false, applied: false, error: 'unknown table future', clientId: 'thirdClient' }),
        msg(8, 'notes', 'b', 'title', 'refused later', { applied: false, error: 'invalid' }),
        msg(6, 'notes', 'c', 'title', 'refused between', { applied: false, error: 'invalid' }),
      ],
    });
    checkEqual((await store.messages({ kind: 'unapplied' })).map((m) => m.value), ['between', 'kept', 'later'], 'unapplied: oldest first');
    checkEqual((await store.messages({ kind: 'rejected' })).map((m) => m.value), ['refused', 'refused between', 'refused later'], 'rejected: oldest first');
  });

  add('values round-trip exactly, in messages and in data', async ({ store, readRow }) => {
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
  });

  add('row ids are data, never SQL', async ({ store, readRow }) => {
    const insert = TRICKY_ROWS.map((row, i) => msg(i + 1, 'notes', row, 'title', `title ${i}`));
    await store.commit({ insert, writes: insert.map(write) });
    for (let i = 0; i < TRICKY_ROWS.length; i++) {
      checkEqual((await readRow('notes', TRICKY_ROWS[i] as string))?.title, `title ${i}`, `row ${JSON.stringify(TRICKY_ROWS[i])}`);
    }
    checkEqual(hlcs(await store.messages({ kind: 'recent', limit: 100 })).length, TRICKY_ROWS.length, 'all messages kept');
  });

  add('a write outside the schema throws and the whole commit is discarded', async ({ store, readRow }) => {
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
  });

  add('a commit that fails partway, after its first statements, leaves nothing of itself', async ({ store, readRow }) => {
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
  });

  add('the _deleted tombstone column is writable', async ({ store, readRow }) => {
    await store.commit({ writes: [write(msg(1, 'notes', 'gone', '_deleted', true))] });
    checkEqual((await readRow('notes', 'gone'))?._deleted, true, 'tombstone');
  });

  add('a large commit applies completely', async ({ store, readRow }) => {
    const insert = Array.from({ length: 3000 }, (_, i) => msg(i + 1, 'tags', `t${i % 1000}`, 'name', `name ${i}`));
    await store.commit({ insert, writes: insert.slice(2000).map(write) });
    check((await store.open(schemaV1)).pendingCount === 3000, 'all pending');
    checkEqual((await readRow('tags', 't999'))?.name, 'name 2999', 'last write');
  });

  add('everything survives a restart', async (h) => {
    const m = msg(1, 'notes', 'a', 'title', 'kept');
    await h.store.commit({ insert: [m, msg(2, 'x', 'y', 'z', 1, { local: false, applied: false, error: 'unknown' })], writes: [write(m)], meta: { cursor: '42' } });
    const h2 = await reopen(h);
    const state = await h2.store.open(schemaV1);
    checkEqual([state.meta.cursor, state.pendingCount, state.maxHlc], ['42', 1, msg(2, '', '', '', 0, { local: false }).hlc], 'state');
    checkEqual((await h2.readRow('notes', 'a'))?.title, 'kept', 'data');
    checkEqual(await h2.store.messages({ kind: 'pending', limit: 10 }), [m], 'messages');
    checkEqual(Object.fromEntries(await h2.store.winners([m])), { [cellKey('notes', 'a', 'title')]: m.hlc }, 'winners');
    return h2;
  }, { restart: true });

  // A store that keeps nothing across a restart meets a new schema on the same instance.
  add('a new schema version adds tables and columns and keeps the data', async (h) => {
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
  });

  // Two stores on one database: opt-in, for a store that several connections may share.
  for (const c of SHARED_CASES) add(c.name, async (h) => c.run(h, await connect(h, schemaV1)), { shared: true, ...(c.optional ? { optional: c.optional } : {}) });

  return cases;
}

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
