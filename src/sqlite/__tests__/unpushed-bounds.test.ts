/**
 * The bounds of the unpushed lists kept in rows (unpushed-in-row.ts), as the file shows them:
 * a cell's list is copied to the outbox exactly once it is past UNPUSHED_CHARS characters
 * (every character of its entries counts: hlc, column name, value and separators), and a new
 * generation's list starts its count afresh; and the messages a copy writes count toward the
 * WAL's bound (checkpoints.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { defineSchema, type StoredMessage } from '../../sync/index.ts';
import { formatHlc } from '../../sync/hlc.ts';
import { createSqliteStore } from '../sqlite-store.ts';
import { openDatabase, type Db } from '../open-database.ts';
import { UNPUSHED_CHARS } from '../unpushed-in-row.ts';
import { countCheckpoints, sqliteFile, type SqliteFile } from '../../../test-support/sqlite-harness.ts';

const schema = defineSchema({ version: 1, tables: { todos: { title: 'string' } } });
const base = Date.now();
const local = (ms: number, row: string, value: string): StoredMessage => ({
  hlc: formatHlc({ millis: base + ms, counter: 0, clientId: 'me' }), table: 'todos', row, column: 'title', value,
  local: true, synced: false, applied: true, error: null,
});
const count = (db: Db, sql: string): number => db.prepare(sql).pluck().get() as number;

let file: SqliteFile;
afterEach(() => file?.dispose());

/** A local write of one cell, as the client makes it (the one-cell path: `transact`). */
function set(store: ReturnType<SqliteFile['open']>, m: StoredMessage): void {
  store.transact([{ table: m.table, row: m.row, column: m.column }], () => ({
    insert: [m], writes: [{ table: m.table, row: m.row, column: m.column, value: m.value, hlc: m.hlc }],
  }));
}

describe('the bounds of the unpushed lists', () => {
  it('a cell\'s list is copied exactly once it is past UNPUSHED_CHARS characters, not at them; the next generation counts afresh', () => {
    file = sqliteFile();
    const store = file.open();
    store.open(schema);
    // Each entry: NUL, hlc, NUL, column, NUL, type letter, value. 25 of 80 characters, then
    // one of 48: the list is exactly UNPUSHED_CHARS long; the next entry takes it past.
    const entry = (value: string) => 4 + local(0, 't1', '').hlc.length + 'title'.length + value.length;
    const sized = (n: number) => 'v'.repeat(n - entry(''));
    const values = [...Array.from({ length: 25 }, () => sized(80)), sized(UNPUSHED_CHARS - 25 * 80), ...Array.from({ length: 30 }, () => sized(80))];
    const list = () => {
      const text = count(store.db, "SELECT _unpushed FROM todos WHERE id = 't1'") as unknown as string | null;
      return text === null ? 0 : text.length - text.indexOf('\u0000'); // past the generation
    };
    let copies = 0;
    for (let i = 0; i < values.length; i++) {
      const before = count(store.db, 'SELECT count(*) FROM fieldsync_outbox');
      set(store, local(i, 't1', values[i] as string)); // its list gains the entry of values[i - 1]
      const copied = count(store.db, 'SELECT count(*) FROM fieldsync_outbox') > before;
      // Copied only past the bound; and a list is never left longer than it.
      expect(list() > UNPUSHED_CHARS, `write ${i}: ${list()} characters`).toBe(copied);
      if (copied) copies++;
      if (i === 26) expect(list()).toBe(UNPUSHED_CHARS); // at the bound: still in the row
    }
    // The first copy after 27 entries; the next generation's list, started afresh, after 26 more.
    expect(copies).toBe(2);
    expect(store.messages({ kind: 'pending', limit: 1000 })).toHaveLength(values.length);
  });

  it('a copy of the rows\' lists counts toward the WAL\'s bound', () => {
    file = sqliteFile();
    const writer = file.open();
    writer.open(schema);
    // 64 rows written 11 times each: 640 replaced messages kept in their rows' lists.
    for (let k = 0; k < 11; k++) for (let r = 0; r < 64; r++) set(writer, local(k * 100 + r, `r${r}`, `draft ${k}`));
    expect(count(writer.db, 'SELECT count(*) FROM fieldsync_outbox')).toBe(0);
    // A new connection, whose checkpoints are counted, reads the lists on open. The pending
    // query copies all 640 (about 40 pages): past a bound of 40 pages, it checkpoints.
    const db = openDatabase(file.file);
    const calls = countCheckpoints(db);
    const store = createSqliteStore(db, { checkpoints: { idleMs: 60_000, maxPages: 40 } });
    store.open(schema);
    expect(store.messages({ kind: 'pending', limit: 1000 })).toHaveLength(704);
    expect(count(db, 'SELECT count(*) FROM fieldsync_outbox')).toBe(640);
    expect(calls.checkpoints).toBe(1);
    db.close();
  });
});
