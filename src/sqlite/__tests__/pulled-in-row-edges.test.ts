/**
 * The edges of keeping pulled messages in their rows (pulled-in-row.ts): only a message that
 * is exactly its cell's write and another client's, acknowledged and applied without error,
 * is kept, since a row keeps nothing else of it; a
 * message of a column this schema does not declare (a newer app version's) is stored and
 * pulled again like any other; and a page pulled again is recognised cell by cell.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { defineSchema, type CellWrite, type StoredMessage } from '../../sync/index.ts';
import { formatHlc } from '../../sync/hlc.ts';
import { schemaStores } from '../../../test-support/sqlite-harness.ts';

const schema = defineSchema({
  version: 1,
  tables: {
    notes: { title: 'string', done: { type: 'boolean', nullable: true } },
    tags: { title: 'string' },
  },
});
const T0 = Date.UTC(2026, 11, 2, 9);
const pulled = (n: number, row: string, column: string, value: StoredMessage['value'], table = 'notes'): StoredMessage => ({
  hlc: formatHlc({ millis: T0 + n, counter: 0, clientId: 'otherClient' }), table, row, column, value,
  local: false, synced: true, applied: true, error: null,
});
const writeOf = (m: StoredMessage): CellWrite => ({ table: m.table, row: m.row, column: m.column, value: m.value, hlc: m.hlc });
const pull = (insert: StoredMessage[], wins = insert) => ({ insert, writes: wins.map(writeOf) });

const stores = schemaStores(schema);
afterEach(() => stores.dispose());
const openStore = stores.open;
type Store = ReturnType<typeof openStore>;
const history = (store: Store, m: StoredMessage): StoredMessage[] => store.messages({ kind: 'cell', table: m.table, row: m.row, column: m.column });
const logged = (store: Store): number => store.db.prepare('SELECT count(*) FROM fieldsync_messages').pluck().get() as number;

describe('which pulled messages a row keeps', () => {
  it.each([
    ['a local message the server has acknowledged', { local: true }],
    ['a message that arrives with an error', { error: 'value_too_large: refused' }],
  ])('%s is stored as it came, not as a kept pulled message', (_, change) => {
    const store = openStore();
    const m = { ...pulled(1, 'a', 'title', 'as it came'), ...change };
    store.commit(pull([m]));
    expect(history(store, m)).toEqual([m]);
    expect(store.readRow('notes', 'a')?.title).toBe('as it came');
    // A second connection reads it from the file, not from this one's memory.
    const again = stores.again();
    expect(history(again, m)).toEqual([m]);
  });

  it('a write that carries a message\'s hlc with another value does not make the row keep that message', () => {
    const store = openStore();
    const m = pulled(1, 'a', 'title', 'the message\'s value');
    store.commit({ insert: [m], writes: [{ ...writeOf(m), value: 'the write\'s value' }] });
    expect(store.readRow('notes', 'a')?.title).toBe('the write\'s value');
    expect(history(store, m)).toEqual([m]);
  });

  it('a message of a column this schema does not declare, beside a kept one of its row, is stored; pulled again, it is stored once', () => {
    const store = openStore();
    const title = pulled(1, 'a', 'title', 'kept');
    const color = pulled(2, 'a', 'color', 'red'); // declared by a newer app version
    store.commit({ insert: [title, color], writes: [writeOf(title)] });
    expect(store.db.prepare('SELECT hlc FROM fieldsync_messages').pluck().all()).toEqual([color.hlc]);
    expect(history(store, color)).toEqual([color]); // from the log: kept for a later schema
    store.commit({ insert: [title, color] }); // the page pulled again
    expect(store.db.prepare('SELECT hlc FROM fieldsync_messages').pluck().all()).toEqual([color.hlc]);
    expect(store.readRow('notes', 'a')?.title).toBe('kept');
  });

  it('a page pulled again is recognised cell by cell: several columns and tables, no copy of any', () => {
    const store = openStore();
    const page = [pulled(1, 'a', 'title', 'kept title'), pulled(2, 'a', 'done', true), pulled(3, 'a', 'title', 'tag', 'tags'), pulled(4, 'b', 'done', false)];
    store.commit(pull(page));
    expect(logged(store)).toBe(0);
    store.commit({ insert: page });
    expect(logged(store)).toBe(0);
    // A second connection, whose statements are its own, the same.
    const again = stores.again();
    again.commit({ insert: [...page].reverse() });
    expect(logged(again)).toBe(0);
    for (const m of page) expect(history(again, m)).toEqual([m]);
  });
});
