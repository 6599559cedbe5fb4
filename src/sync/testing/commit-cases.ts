/**
 * The client-store suite's cases for `commit(c)`: messages inserted (each hlc once) and cells
 * written, flags updated, messages removed. Separate from the suite's list
 * (store-conformance.ts); what every commit must keep whatever its content (all or nothing,
 * exact values) is in commit-safety-cases.ts.
 */
import { cellKey } from '../message.ts';
import { check, checkEqual } from './assert.ts';
import { hlcs, type StoreCase } from './store-case.ts';
import { msg, schemaV1, write } from './store-fixtures.ts';

export const COMMIT_CASES: readonly StoreCase[] = [
  {
    name: 'a commit inserts messages and writes cells',
    async run({ store, readRow }) {
      await store.commit({
        insert: [msg(2, 'notes', 'n1', 'title', 'Hello'), msg(1, 'notes', 'n1', 'done', false)],
        writes: [write(msg(2, 'notes', 'n1', 'title', 'Hello')), write(msg(1, 'notes', 'n1', 'done', false))],
      });
      const row = await readRow('notes', 'n1');
      check(row, 'the row exists');
      checkEqual([row.title, row.done], ['Hello', false], 'row values');
      checkEqual(hlcs(await store.messages({ kind: 'pending', limit: 10 })), [msg(1, '', '', '', 0).hlc, msg(2, '', '', '', 0).hlc], 'pending, oldest first');
      check((await readRow('notes', 'nope')) === undefined, 'a row never written does not exist');
    },
  },
  {
    name: 'a message already stored is ignored, not replaced',
    async run({ store }) {
      const first = msg(1, 'notes', 'a', 'title', 'first');
      await store.commit({ insert: [first] });
      await store.commit({ insert: [{ ...first, value: 'second', synced: true }] });
      const [m] = await store.messages({ kind: 'recent', limit: 10 });
      checkEqual(m, first, 'the first copy stays');
    },
  },
  {
    name: 'a message already stored, committed again with its write, is stored once: once synced, nothing is pending',
    async run({ store }) {
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
    },
  },
  {
    name: 'a pulled page committed again (no cell wins) changes nothing',
    async run({ store, readRow }) {
      const page = [msg(1, 'notes', 'a', 'title', 'A', { local: false, synced: true }), msg(2, 'notes', 'b', 'title', 'B', { local: false, synced: true })];
      await store.commit({ insert: page, writes: page.map(write) });
      await store.commit({ insert: page });
      checkEqual(hlcs(await store.messages({ kind: 'recent', limit: 10 })), hlcs([...page].reverse()), 'recent, each once');
      checkEqual(await store.messages({ kind: 'cell', table: 'notes', row: 'a', column: 'title' }), [page[0]], 'the cell\'s message, once');
      checkEqual((await readRow('notes', 'b'))?.title, 'B', 'the value');
    },
  },
  {
    name: 'flags update: synced, applied, error',
    async run({ store }) {
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
    },
  },
  {
    name: 'a synced local message marked unsynced is pending again (starting over with a server)',
    async run({ store }) {
      const a = msg(1, 'notes', 'a', 'title', 'A');
      const b = msg(2, 'notes', 'b', 'title', 'B');
      await store.commit({ insert: [a, b, msg(3, 'notes', 'c', 'title', 'remote', { local: false })] });
      await store.commit({ update: [{ hlc: a.hlc, synced: true }, { hlc: b.hlc, synced: true }] });
      check((await store.open(schemaV1)).pendingCount === 0, 'nothing pending once synced');
      await store.commit({ update: [{ hlc: a.hlc, synced: false }, { hlc: b.hlc, synced: false }] });
      checkEqual(await store.messages({ kind: 'pending', limit: 10 }), [a, b], 'pending again, oldest first, as they were');
      check((await store.open(schemaV1)).pendingCount === 2, 'pendingCount counts them');
      checkEqual(hlcs((await store.messages({ kind: 'recent', limit: 10 })).filter((m) => m.local && m.synced)), [], 'none synced');
    },
  },
  {
    name: 'remove deletes messages; maxHlc falls back',
    async run(h, reopen) {
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
    },
  },
];
