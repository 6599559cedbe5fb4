/**
 * What the SQLite store answers about pulled messages, wherever it keeps them (the log, a
 * data row with mark 2, the ring of recent ones, the newest): a cell's history, `recent`,
 * and the greatest hlc the clock restarts after. Each message appears once, in its own
 * cell's history only, with its own value.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { defineSchema, type Commit, type StoredMessage } from '../../sync/index.ts';
import { formatHlc } from '../../sync/hlc.ts';
import { RECENT_PULLED, RING_KEY } from '../pulled-in-row.ts';
import { schemaStores } from '../../../test-support/sqlite-harness.ts';

const T0 = Date.UTC(2026, 11, 1, 7);
/** Two tables with the same columns, so that a message of one could pass for the other's. */
const schema = defineSchema({ version: 1, tables: { notes: { title: 'string' }, todos: { title: 'string' } } });
const pulled = (n: number, row: string, value: string, table = 'notes'): StoredMessage => ({
  hlc: formatHlc({ millis: T0 + n, counter: 0, clientId: 'otherClient' }), table, row, column: 'title', value,
  local: false, synced: true, applied: true, error: null,
});
/** A pull's commit: every message inserted, and the cells written by those in `wins`. */
const pull = (insert: StoredMessage[], wins = insert): Commit => ({
  insert, writes: wins.map(({ table, row, column, value, hlc }) => ({ table, row, column, value, hlc })),
});

describe('pulled messages in the SQLite store\'s answers', () => {
  const stores = schemaStores(schema);
  afterEach(() => stores.dispose());
  const open = stores.open;
  const history = (store: ReturnType<typeof open>, row: string, table = 'notes'): string[] =>
    store.messages({ kind: 'cell', table, row, column: 'title' }).map((m) => m.hlc).sort();

  it('a pulled message that loses its cell, in a row the commit does not write, is in its cell\'s history', () => {
    const store = open();
    const winner = pulled(5, 'a', 'newer');
    store.commit(pull([winner]));
    const loser = pulled(1, 'a', 'older');
    store.commit(pull([loser, pulled(2, 'b', 'b')], [pulled(2, 'b', 'b')]));
    expect(history(store, 'a')).toEqual([loser.hlc, winner.hlc]);
    expect(store.readRow('notes', 'a')?.title).toBe('newer');
  });

  it('of two messages of one cell in a commit, with the same value, the earlier is in the history too', () => {
    const store = open();
    const first = pulled(1, 'a', 'same');
    const last = pulled(2, 'a', 'same');
    store.commit(pull([first, last]));
    expect(history(store, 'a')).toEqual([first.hlc, last.hlc]);
    expect(store.db.prepare('SELECT hlc FROM fieldsync_messages').pluck().all()).toEqual([first.hlc]);
  });

  it('a cell\'s history leaves out the messages of another table\'s cell with the same row and column', () => {
    const store = open();
    const note = pulled(1, 'a', 'note');
    const todo = pulled(2, 'a', 'todo', 'todos');
    store.commit(pull([note, todo]));
    expect(history(store, 'a')).toEqual([note.hlc]);
    expect(history(store, 'a', 'todos')).toEqual([todo.hlc]);
  });

  it('the newest kept message stays in recent after older ones push it out of the ring, and the clock restarts after it', () => {
    const store = open();
    const newest = pulled(10_000, 'n', 'newest');
    store.commit(pull([newest]));
    // Older messages, pulled later (another device's backlog): the ring is by arrival.
    store.commit(pull(Array.from({ length: RECENT_PULLED }, (_, i) => pulled(i, `r${i}`, `v${i}`))));
    expect(store.messages({ kind: 'recent', limit: 1 }).map((m) => m.hlc)).toEqual([newest.hlc]);
    expect(stores.last().open().open(schema).maxHlc).toBe(newest.hlc);
  });

  it('a damaged ring (the store\'s own meta entry) costs history, not the store', () => {
    const store = open();
    const kept = pulled(1, 'a', 'kept');
    store.commit(pull([kept]));
    store.db.prepare('UPDATE fieldsync_meta SET value = ? WHERE key = ?').run('{not json', RING_KEY);
    expect(store.messages({ kind: 'recent', limit: 5 }).map((m) => m.hlc)).toEqual([kept.hlc]); // the newest, kept apart
    expect(history(store, 'a')).toEqual([kept.hlc]); // read from its row
    store.commit(pull([pulled(2, 'b', 'next')]));
    expect(store.messages({ kind: 'recent', limit: 5 }).map((m) => m.value)).toEqual(['next']);
  });
});
