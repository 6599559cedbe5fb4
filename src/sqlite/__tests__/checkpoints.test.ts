/**
 * WAL checkpoints out of the write path (checkpoints.ts): SQLite's automatic checkpoint is
 * off, the store checkpoints once commits pause, and the log stays bounded for an app that
 * never pauses. The idle timer waits for a real pause, never keeps the process running,
 * ends with the store, and is not set on a database that has no log.
 */
import { statSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ValidationError, defineSchema, type Commit, type Schema, type StoredMessage } from '../../sync/index.ts';
import { createSqliteStore } from '../sqlite-store.ts';
import { openDatabase } from '../open-database.ts';
import { countCheckpoints, sqliteFile, type SqliteFile } from '../../../test-support/sqlite-harness.ts';

const schema = defineSchema({ version: 1, tables: { todos: { title: 'string' } } });
const hlc = (n: number): string => `2026-01-01T00:00:00.000Z-${n.toString(16).toUpperCase().padStart(4, '0')}-me`;
const write = (n: number) => ({ writes: [{ table: 'todos', row: `t${n % 50}`, column: 'title', value: `title ${n} ${'x'.repeat(200)}`, hlc: hlc(n) }] });

let file: SqliteFile;
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  file?.dispose();
});

/** The store on a file, with every checkpoint it runs counted. */
function openCounted(options: Parameters<typeof createSqliteStore>[1], opened: Schema = schema) {
  file = sqliteFile();
  const db = openDatabase(file.file);
  const calls = countCheckpoints(db);
  const store = createSqliteStore(db, options);
  store.open(opened);
  return { db, store, calls, dispose: () => db.close() };
}

/**
 * A pulled page as the client commits it: 1,000 messages of another device over 200 rows of
 * five columns, each the winner of its cell, so each is kept in its row (pulled-in-row.ts).
 */
const wide = defineSchema({ version: 1, tables: { todos: { a: 'string', b: 'string', c: 'string', d: 'string', e: 'string' } } });
function pulledPage(page: number): Commit {
  const insert: StoredMessage[] = [];
  for (let i = 0; i < 1000; i++) {
    const n = page * 1000 + i;
    insert.push({
      hlc: `2026-01-01T00:00:00.000Z-${n.toString(16).toUpperCase().padStart(4, '0')}-otherDevice`, table: 'todos', row: `t${Math.floor(n / 5) % 2000}`,
      column: 'abcde'[i % 5] as string, value: `value ${n}`, local: false, synced: true, applied: true, error: null,
    });
  }
  return { insert, writes: insert, meta: { cursor: String(page) } };
}

const walBytes = (path: string): number => {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
};

describe('WAL checkpoints', () => {
  it('turns SQLite\'s automatic checkpoint off and checkpoints once commits pause', async () => {
    const s = openCounted({ checkpoints: { idleMs: 30 } });
    expect(s.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    for (let n = 1; n <= 20; n++) s.store.commit(write(n));
    expect(s.calls.checkpoints).toBe(0); // none inside the writes
    // The timer fires once no commit came for idleMs (a loaded machine may run it late).
    for (let waited = 0; s.calls.checkpoints === 0 && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    expect(s.calls.checkpoints).toBe(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(s.calls.checkpoints).toBe(1); // nothing new to checkpoint: the timer is not re-armed
    s.dispose();
  });

  it('keeps the log bounded for an app that never pauses, checkpointing inside a commit', () => {
    const s = openCounted({ checkpoints: { idleMs: 60_000, maxPages: 100 } });
    for (let n = 1; n <= 2000; n++) s.store.commit(write(n));
    expect(s.calls.checkpoints).toBeGreaterThanOrEqual(30);
    expect(walBytes(file.file)).toBeLessThan(150 * 4120); // ~100 pages of 4 KiB and their frame headers, with slack
    s.dispose();
  });

  it('without the bound the same writes grow the log: the test above measures something', () => {
    const s = openCounted({ checkpoints: { idleMs: 60_000, maxPages: Number.MAX_SAFE_INTEGER } });
    for (let n = 1; n <= 2000; n++) s.store.commit(write(n));
    expect(s.calls.checkpoints).toBe(0);
    expect(walBytes(file.file)).toBeGreaterThan(1000 * 4096);
    s.dispose();
  });

  it('counts what a pulled page really writes: messages kept in their rows are no rows of their own', () => {
    const bound = 300;
    const s = openCounted({ checkpoints: { idleMs: 60_000, maxPages: bound } }, wide);
    for (let page = 0; page < 40; page++) s.store.commit(pulledPage(page));
    // About 25-30 WAL pages per commit here: a checkpoint every ten commits or so, not every
    // third (as when each kept message counted as a row), and the log still within its bound.
    expect(s.calls.checkpoints).toBeGreaterThanOrEqual(2);
    expect(s.calls.checkpoints).toBeLessThanOrEqual(8);
    expect(walBytes(file.file)).toBeLessThan(1.5 * bound * 4120);
    s.dispose();
  });

  it('counts no pages for the message queries that copy nothing: reads write no log (round 63)', () => {
    // A commit counts at least two pages: with a bound of three, the second commit checkpoints.
    const s = openCounted({ checkpoints: { idleMs: 60_000, maxPages: 3 } });
    const m: StoredMessage = { hlc: hlc(1), table: 'todos', row: 't1', column: 'title', value: 'mine', local: true, synced: false, applied: true, error: null };
    s.store.commit({ insert: [m], writes: [{ table: 'todos', row: 't1', column: 'title', value: 'mine', hlc: m.hlc }] });
    // The first query may copy the write's unpushed list to the outbox, a commit of its own.
    s.store.messages({ kind: 'pending', limit: 10 });
    const before = s.calls.checkpoints;
    for (let i = 0; i < 5; i++) {
      expect(s.store.messages({ kind: 'pending', limit: 10 })).toHaveLength(1);
      s.store.messages({ kind: 'recent', limit: 10 });
      s.store.messages({ kind: 'cell', table: 'todos', row: 't1', column: 'title' });
    }
    expect(s.calls.checkpoints - before).toBe(0);
    // The bound still counts commits: the test above measures something.
    s.store.commit(write(2));
    s.store.commit(write(3));
    expect(s.calls.checkpoints - before).toBeGreaterThanOrEqual(1);
    s.dispose();
  });

  it('a closed store stops its timer, and the data is all in the database file', async () => {
    const s = openCounted({ checkpoints: { idleMs: 20 } });
    s.store.commit(write(1));
    s.store.close();
    await new Promise((r) => setTimeout(r, 80));
    expect(s.calls.checkpoints).toBe(0);
    expect(walBytes(file.file)).toBe(0); // SQLite checkpoints and removes the log on close
    const again = file.open();
    again.open(schema);
    expect(again.readRow('todos', 't1')?.title).toMatch(/^title 1 /);
  });

  it('refuses checkpoint options it could not keep, with a typed error, before touching the file', () => {
    file = sqliteFile();
    const db = openDatabase(file.file);
    const refused = (checkpoints: unknown): string => {
      try {
        createSqliteStore(db, { checkpoints } as never);
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError);
        return (err as Error).message;
      }
      return 'accepted';
    };
    // A NaN maxPages never checkpointed in a commit (the log grew without end), and an idleMs
    // past the timer's range checkpointed every millisecond.
    for (const maxPages of [Number.NaN, 0, 0.5, -1, '100', null]) {
      expect(refused({ maxPages })).toBe('createSqliteStore: checkpoints.maxPages must be a number >= 1');
    }
    for (const idleMs of [Number.NaN, -1, Infinity, 2 ** 31, '250', null]) {
      expect(refused({ idleMs })).toBe('createSqliteStore: checkpoints.idleMs must be a number of ms from 0 to 2147483647 (about 24.8 days)');
    }
    expect(refused(5)).toBe('createSqliteStore: checkpoints must be an object: { idleMs?, maxPages? }');
    expect(refused(null)).toBe('createSqliteStore: checkpoints must be an object: { idleMs?, maxPages? }');
    expect(() => createSqliteStore(db, 'fast' as never)).toThrow('createSqliteStore: options must be an object');
    db.close();
    // One store per connection (sqlite-store.ts): each of these on a connection of its own.
    for (const good of [undefined, {}, { idleMs: 0, maxPages: 1 }, { idleMs: 2 ** 31 - 1, maxPages: Infinity }]) {
      const own = openDatabase(file.file);
      expect(createSqliteStore(own, { checkpoints: good })).toBeTruthy();
      own.close();
    }
  });
});

describe('the idle timer', () => {
  /** The clock the store's timer runs on, moved by hand. */
  const fakeClock = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });

  it('waits for a pause: commits that keep coming sooner than idleMs apart get no idle checkpoint until they stop', () => {
    fakeClock();
    const s = openCounted({ checkpoints: { idleMs: 50 } });
    for (let n = 1; n <= 20; n++) {
      s.store.commit(write(n));
      vi.advanceTimersByTime(20);
    }
    expect(s.calls.checkpoints).toBe(0); // 400 ms of commits, each 20 ms after the last
    vi.advanceTimersByTime(100); // within two idle periods of the last commit
    expect(s.calls.checkpoints).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(s.calls.checkpoints).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
    s.dispose();
  });

  it('after a checkpoint inside a commit, the idle period finds nothing to checkpoint', () => {
    fakeClock();
    const s = openCounted({ checkpoints: { idleMs: 50, maxPages: 3 } });
    s.store.commit(write(1)); // about two pages: the timer is set
    s.store.commit(write(2)); // past three: checkpointed here
    expect(s.calls.checkpoints).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(s.calls.checkpoints).toBe(1);
    s.dispose();
  });

  it('never keeps the process running', () => {
    const set = vi.spyOn(globalThis, 'setTimeout');
    const s = openCounted({ checkpoints: { idleMs: 12_345 } });
    s.store.commit(write(1));
    const timers = set.mock.calls.flatMap((call, i) => (call[1] === 12_345 ? [set.mock.results[i]?.value as NodeJS.Timeout] : []));
    expect(timers).toHaveLength(1);
    expect(timers[0]?.hasRef()).toBe(false);
    s.store.close();
  });

  it('is cleared when the store closes, and ends at its next tick when the app closed the connection itself', () => {
    fakeClock();
    const s = openCounted({ checkpoints: { idleMs: 50 } });
    s.store.commit(write(1));
    expect(vi.getTimerCount()).toBe(1);
    s.store.close();
    expect(vi.getTimerCount()).toBe(0);
    const t = openCounted({ checkpoints: { idleMs: 50 } });
    t.store.commit(write(1));
    t.store.commit(write(2)); // a commit since the timer was set: it would wait again
    t.db.close();
    vi.advanceTimersByTime(50);
    expect(vi.getTimerCount()).toBe(0);
    expect(t.calls.checkpoints).toBe(0);
  });

  it('is not set on a database without a log (rollback journal), where SQLite\'s own checkpoint setting is left alone', () => {
    fakeClock();
    file = sqliteFile();
    const db = openDatabase(file.file);
    db.pragma('journal_mode = DELETE'); // an app's own connection, not in WAL mode
    const calls = countCheckpoints(db);
    const store = createSqliteStore(db, { checkpoints: { idleMs: 50 } });
    store.open(schema);
    // Were the app to turn WAL on later, SQLite would still checkpoint it.
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    store.commit(write(1));
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(calls.checkpoints).toBe(0);
    db.close();
    // One store per connection (sqlite-store.ts): the next on a connection of its own, without a log too.
    const again = openDatabase(file.file);
    again.pragma('journal_mode = DELETE');
    const callsAgain = countCheckpoints(again);
    const bounded = createSqliteStore(again, { checkpoints: { maxPages: 1 } }); // every commit past the bound
    bounded.open(schema);
    for (let n = 2; n <= 5; n++) bounded.commit(write(n));
    expect(callsAgain.checkpoints).toBe(0);
    expect(bounded.readRow('todos', 't5')?.title).toMatch(/^title 5 /);
    again.close();
  });
});

describe('a checkpoint that fails (a full disk)', () => {
  /** The store on a file whose checkpoints fail with SQLITE_FULL while `full.now` holds. */
  function openFull(options: Parameters<typeof createSqliteStore>[1]) {
    file = sqliteFile();
    const db = openDatabase(file.file);
    const pragma = db.pragma.bind(db);
    const full = { now: false, failed: 0, done: 0 };
    db.pragma = ((source: string, o?: { simple?: boolean }) => {
      if (source.startsWith('wal_checkpoint')) {
        if (full.now) {
          full.failed++;
          throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        }
        full.done++;
      }
      return pragma(source, o);
    }) as typeof db.pragma;
    const store = createSqliteStore(db, options);
    store.open(schema);
    return { db, store, full };
  }

  it('after a commit: the commit, which is saved, succeeds, and the next commit tries again', () => {
    const { db, store, full } = openFull({ checkpoints: { maxPages: 1 } });
    full.now = true;
    expect(() => store.commit(write(1))).not.toThrow();
    expect(full.failed).toBe(1);
    expect(store.readRow('todos', 't1')?.title).toMatch(/^title 1 /);
    full.now = false;
    store.commit(write(2));
    expect(full.done).toBe(1);
    db.close();
  });

  it('at idle: the timer does not throw (that ended the process), and a later idle period checkpoints', async () => {
    const { db, store, full } = openFull({ checkpoints: { idleMs: 5 } });
    full.now = true;
    store.commit(write(1));
    await new Promise((r) => setTimeout(r, 100));
    expect(full.failed).toBeGreaterThan(0);
    full.now = false;
    store.commit(write(2));
    await new Promise((r) => setTimeout(r, 100));
    expect(full.done).toBe(1);
    expect(store.readRow('todos', 't2')?.title).toMatch(/^title 2 /);
    db.close();
  });
});
