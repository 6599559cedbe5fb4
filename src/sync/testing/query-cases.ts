/**
 * The client-store suite's cases for `messages(query)`: which messages each kind of query
 * answers (pending, rejected, unapplied, cell, recent), in which order, how many. Separate
 * from the suite's list (store-conformance.ts).
 */
import { check, checkEqual } from './assert.ts';
import { hlcs, type StoreCase } from './store-case.ts';
import { msg, schemaV1 } from './store-fixtures.ts';

export const QUERY_CASES: readonly StoreCase[] = [
  {
    name: 'pending: oldest first, limited, only local unsynced messages without error',
    async run({ store }) {
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
    },
  },
  {
    name: 'queries: unapplied, cell and recent',
    async run({ store }) {
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
    },
  },
];
