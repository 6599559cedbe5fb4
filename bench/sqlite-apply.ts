/**
 * How fast the SQLite client store applies pulled messages, against raw inserts of the same
 * rows. `node bench/sqlite-apply.ts [count]` (default 100 000).
 *
 * - apply: what a sync does for each pulled page of 1000: `winners()` for the page's cells,
 *   last-writer-wins (`planMerge`), and one `commit()` with the messages, the cell writes and
 *   the cursor.
 * - raw: the same message rows inserted with one prepared INSERT, 1000 per transaction, into
 *   the store's own messages table (`raw-store`: the same table and indexes, none of the
 *   store's logic) and, for reference, into a bare table of the same columns with only its
 *   primary key (`raw-bare`: no cell index, so nothing to look winners up with).
 *
 * Each is run three times on a fresh file and the best time counts (the first run warms up
 * the JIT). The target is apply >= 0.5x raw-store. Exits non-zero below it.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cellsOf, defineSchema, formatHlc, planMerge, type StoredMessage } from '../src/sync/index.ts';
import { openDatabase } from '../src/main/db/open-database.ts';
import { createSqliteStore } from '../src/main/db/sqlite-store.ts';

const count = Number(process.argv[2] ?? 100_000);
const PAGE = 1000;
const schema = defineSchema({
  version: 1,
  tables: { todos: { listId: 'string', title: 'string', done: 'boolean', order: 'string', createdAt: 'integer' } },
});
const columns = ['listId', 'title', 'done', 'order', 'createdAt'] as const;
const base = Date.UTC(2026, 0, 1);
const messages: StoredMessage[] = Array.from({ length: count }, (_, i) => {
  const column = columns[i % columns.length] as (typeof columns)[number];
  const row = `todo-${Math.floor(i / columns.length) % Math.max(1, Math.floor(count / 10))}`; // rows written twice on average
  const value = column === 'done' ? i % 2 === 0 : column === 'createdAt' ? base + i : `${column} value ${i}`;
  return { hlc: formatHlc({ millis: base + i, counter: 0, clientId: 'otherClient' }), table: 'todos', row, column, value, local: false, synced: true, applied: true, error: null };
});

function timed(fn: () => void): number {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function best(name: string, run: () => number): number {
  const ms = Math.min(run(), run(), run());
  console.log(`${name.padEnd(9)} ${count} messages in ${ms.toFixed(0)} ms (${Math.round(count / (ms / 1000))}/s)`);
  return ms;
}

const file = (name: string): string => join(tmpdir(), `fieldsync-bench-${process.pid}-${name}.db`);
const cleanup = (f: string): void => ['', '-wal', '-shm'].forEach((s) => rmSync(f + s, { force: true }));

function rawRun(name: string, setup: (db: ReturnType<typeof openDatabase>) => string): number {
  const f = file(name);
  const db = openDatabase(f);
  const insert = db.prepare(`INSERT INTO ${setup(db)} (hlc, tbl, row, col, value, local, synced, applied, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const page = db.transaction((list: StoredMessage[]) => {
    for (const m of list) insert.run(m.hlc, m.table, m.row, m.column, JSON.stringify(m.value), 0, 1, 1, null);
  });
  const ms = timed(() => {
    for (let i = 0; i < count; i += PAGE) page.immediate(messages.slice(i, i + PAGE));
  });
  db.close();
  cleanup(f);
  return ms;
}

const rawBare = best('raw-bare', () => rawRun('raw-bare', (db) => {
  db.exec('CREATE TABLE m (hlc TEXT PRIMARY KEY NOT NULL, tbl TEXT NOT NULL, row TEXT NOT NULL, col TEXT NOT NULL, value TEXT NOT NULL, local INTEGER NOT NULL, synced INTEGER NOT NULL, applied INTEGER NOT NULL, error TEXT)');
  return 'm';
}));
const rawStore = best('raw-store', () => rawRun('raw-store', (db) => {
  createSqliteStore(db).open(schema);
  return 'fieldsync_messages';
}));

const apply = best('apply', () => {
  const storeFile = file('store');
  const store = createSqliteStore(openDatabase(storeFile));
  store.open(schema);
  const ms = timed(() => {
  for (let i = 0; i < count; i += PAGE) {
    const page = messages.slice(i, i + PAGE);
    const plan = planMerge(schema, page, store.winners(cellsOf(schema, page)));
    store.commit({ insert: page, writes: plan.writes, meta: { cursor: String(i + page.length) } });
  }
  });
  store.close();
  cleanup(storeFile);
  return ms;
});

const ratio = rawStore / apply;
console.log(`apply speed: ${ratio.toFixed(2)}x raw-store inserts (target >= 0.5x), ${(rawBare / apply).toFixed(2)}x raw-bare inserts`);
process.exitCode = ratio >= 0.5 ? 0 : 1;
