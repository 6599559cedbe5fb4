/**
 * 2. Apply throughput: pulled messages applied by the SQLite client store, page by page as a
 * sync applies them (`winners()` for the page's cells, last-writer-wins, one `commit()` of
 * the messages, the winning cells and the cursor), against raw inserts of the same rows:
 * each pulled message inserted as a plain row (its five fields) into a table with no index,
 * one INSERT each, in transactions of the same page size. For reference, a second baseline
 * does the data change alone without sync: each message's cell upserted into a todos table.
 * The store is called as an app's own code would call it, so each call's elements are checked
 * (store-calls.ts: about 0.25 µs a message, two hlcs read), which the client's calls skip.
 */
import type { StoredMessage } from 'fieldsync';
import { formatHlc } from 'fieldsync/server';
import { cellsOf, planMerge } from 'fieldsync/testing';
import { benchSchema, openRawTodos, openStore, tempDir } from '../lib/client-db.ts';

export interface ApplyResult {
  readonly messages: number;
  readonly applyPerSecond: number;
  /** Raw inserts of the same rows: the baseline of the goal. */
  readonly rawPerSecond: number;
  readonly ratio: number;
  /** Raw upserts of the same cells into a todos table, for reference. */
  readonly rawUpsertsPerSecond: number;
  readonly upsertRatio: number;
}

const PAGE = 1000;
const COLUMNS = ['listId', 'title', 'done', 'order', 'createdAt'] as const;

/** Pulled messages: every column of every row, each row written twice on average. */
function pulledMessages(count: number): StoredMessage[] {
  const base = Date.UTC(2026, 0, 1);
  const rows = Math.max(1, Math.floor(count / (2 * COLUMNS.length)));
  return Array.from({ length: count }, (_, i) => {
    const column = COLUMNS[i % COLUMNS.length] as (typeof COLUMNS)[number];
    const value = column === 'done' ? i % 2 === 0 : column === 'createdAt' ? base + i : `${column} value ${i}`;
    return {
      hlc: formatHlc({ millis: base + i, counter: 0, clientId: 'otherClient' }),
      table: 'todos', row: `todo-${Math.floor(i / COLUMNS.length) % rows}`, column, value,
      local: false, synced: true, applied: true, error: null,
    };
  });
}

function timed(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

export function applyThroughput(options: { messages: number; repeats?: number }): ApplyResult {
  const messages = pulledMessages(options.messages);
  const pages: StoredMessage[][] = [];
  for (let i = 0; i < messages.length; i += PAGE) pages.push(messages.slice(i, i + PAGE));
  const repeats = options.repeats ?? 5;

  const rawInsertRun = (): number => {
    const dir = tempDir('apply-raw-insert');
    try {
      const db = openRawTodos(dir.file('raw.db'));
      db.exec('CREATE TABLE pulled (hlc TEXT, tbl TEXT, row TEXT, col TEXT, value TEXT)');
      const insert = db.prepare('INSERT INTO pulled (hlc, tbl, row, col, value) VALUES (?, ?, ?, ?, ?)');
      const page = db.transaction((list: StoredMessage[]) => {
        for (const m of list) insert.run(m.hlc, m.table, m.row, m.column, JSON.stringify(m.value));
      });
      const s = timed(() => pages.forEach((p) => page.immediate(p)));
      db.close();
      return s;
    } finally {
      dir.remove();
    }
  };

  const rawUpsertRun = (): number => {
    const dir = tempDir('apply-raw-upsert');
    try {
      const db = openRawTodos(dir.file('raw.db'));
      const upserts = new Map(COLUMNS.map((c) => [c, db.prepare(
        `INSERT INTO todos (id, "${c}") VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET "${c}" = excluded."${c}"`,
      )]));
      const page = db.transaction((list: StoredMessage[]) => {
        for (const m of list) upserts.get(m.column as (typeof COLUMNS)[number])?.run(m.row, typeof m.value === 'boolean' ? Number(m.value) : m.value);
      });
      const s = timed(() => pages.forEach((p) => page.immediate(p)));
      db.close();
      return s;
    } finally {
      dir.remove();
    }
  };

  const applyRun = (): number => {
    const dir = tempDir('apply-store');
    try {
      const store = openStore(dir.file('client.db'));
      let cursor = 0;
      const s = timed(() => {
        for (const page of pages) {
          const plan = planMerge(benchSchema, page, store.winners(cellsOf(benchSchema, page)));
          cursor += page.length;
          store.commit({ insert: page, writes: plan.writes, meta: { cursor: String(cursor) } });
        }
      });
      store.close();
      return s;
    } finally {
      dir.remove();
    }
  };

  // Best of a few runs each, alternating: the first run of each warms up the JIT.
  let raw = Infinity;
  let upsert = Infinity;
  let apply = Infinity;
  for (let i = 0; i < repeats; i++) {
    raw = Math.min(raw, rawInsertRun());
    upsert = Math.min(upsert, rawUpsertRun());
    apply = Math.min(apply, applyRun());
  }
  return {
    messages: messages.length,
    applyPerSecond: messages.length / apply,
    rawPerSecond: messages.length / raw,
    ratio: raw / apply,
    rawUpsertsPerSecond: messages.length / upsert,
    upsertRatio: upsert / apply,
  };
}
