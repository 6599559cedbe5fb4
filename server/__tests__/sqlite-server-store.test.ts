import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from 'fieldsync';
import { formatHlc } from 'fieldsync/server';
import { serverStoreConformance, type ServerStoreHarness } from 'fieldsync/testing';
import { SCHEMA_VERSION } from '../stores/sqlite-schema.ts';
import { createSqliteServerStore, type SqliteServerStore } from '../stores/sqlite-server-store.ts';
import { tempDir } from './helpers/temp-dir.ts';

function harness(file: string, compaction: boolean, remove: () => void): ServerStoreHarness {
  const store = createSqliteServerStore({ file, compaction });
  return {
    store,
    reopen() {
      store.close();
      return harness(file, compaction, remove);
    },
    dispose() {
      store.close();
      remove();
    },
  };
}

for (const compaction of [true, false]) {
  describe(`SQLite server store conformance (compaction ${compaction ? 'on' : 'off'})`, () => {
    for (const c of serverStoreConformance(() => {
      const dir = tempDir();
      return harness(join(dir.path, 'db.sqlite'), compaction, dir.remove);
    }, { compaction })) {
      it.skipIf(c.skip !== undefined)(c.skip ? `${c.name} (skipped: ${c.skip})` : c.name, c.run);
    }
  });
}

const BASE = Date.UTC(2026, 10, 24, 15, 0, 0);
const m = (n: number, clientId: string, row: string, value: Message['value']): Message => ({
  hlc: formatHlc({ millis: BASE + n, counter: 0, clientId }), table: 'notes', row, column: 'title', value,
});

describe('SQLite server store specifics', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  const open = (options: { compaction?: boolean; maxScanIds?: number; maxPageBytes?: number } = {}, dir = tempDir()): { store: SqliteServerStore; file: string } => {
    const file = join(dir.path, 'db.sqlite');
    const store = createSqliteServerStore({ file, ...options });
    cleanups.push(() => {
      store.close();
      dir.remove();
    });
    return { store, file };
  };

  it('uses WAL with synchronous=FULL and records its schema version', () => {
    const { store, file } = open();
    store.push('u', [m(1, 'A', 'r', 'x')]);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    } finally {
      db.close();
    }
  });

  it('a database of schema version 1 (before epochs) gets an epoch for each user, and keeps its messages', () => {
    const dir = tempDir();
    const file = join(dir.path, 'v1.sqlite');
    try {
      const db = new Database(file);
      db.exec(`CREATE TABLE users (uid INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, last_id INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE messages (seq INTEGER PRIMARY KEY, uid INTEGER NOT NULL, id INTEGER NOT NULL, hlc TEXT NOT NULL, tbl TEXT NOT NULL,
          row TEXT NOT NULL, col TEXT NOT NULL, value TEXT NOT NULL, client_id TEXT NOT NULL);
        CREATE UNIQUE INDEX messages_by_id ON messages (uid, id, client_id);
        CREATE UNIQUE INDEX messages_by_hlc ON messages (uid, hlc);
        INSERT INTO users (name, last_id) VALUES ('u', 1), ('w', 0);
        PRAGMA user_version = 1;`);
      const old = m(1, 'A', 'r', 'old');
      db.prepare('INSERT INTO messages (uid, id, hlc, tbl, row, col, value, client_id) VALUES (1, 1, ?, ?, ?, ?, ?, ?)')
        .run(old.hlc, old.table, old.row, old.column, JSON.stringify(old.value), 'A');
      db.close();
      const store = createSqliteServerStore({ file, compaction: false });
      const page = store.pull('u', { cursor: 0, limit: 10, excludeClientId: 'B' });
      expect(page).toMatchObject({ lastId: 1, more: false, messages: [{ id: 1, value: 'old' }] });
      expect(page.epoch).toMatch(/^[0-9a-f]{16}$/);
      expect(store.pull('w', { cursor: 0, limit: 10, excludeClientId: 'B' }).epoch).not.toBe(page.epoch);
      store.close();
    } finally {
      dir.remove();
    }
  });

  it('compacts a database that ran without compaction when compaction is switched on', () => {
    const dir = tempDir();
    const file = join(dir.path, 'db.sqlite');
    const off = createSqliteServerStore({ file, compaction: false });
    off.push('u', [m(1, 'A', 'r', 'v1'), m(2, 'A', 'r', 'v2'), m(3, 'A', 'other', 'x')]);
    expect(off.pull('u', { cursor: 0, limit: 10, excludeClientId: 'B' }).messages).toHaveLength(3);
    off.close();
    const { store } = open({ compaction: true }, dir);
    const page = store.pull('u', { cursor: 0, limit: 10, excludeClientId: 'B' });
    expect(page.messages.map((x) => [x.id, x.value])).toEqual([[2, 'v2'], [3, 'x']]);
    expect(store.push('u', [m(4, 'A', 'r', 'v4')]).maxId).toBe(4);
    expect(store.pull('u', { cursor: 0, limit: 10, excludeClientId: 'B' }).messages.map((x) => x.value)).toEqual(['x', 'v4']);
  });

  it('bounds the id range one pull examines, and the cursor still only moves forward', () => {
    const { store } = open({ maxScanIds: 10 });
    store.push('u', Array.from({ length: 25 }, (_, i) => m(i + 1, 'A', `a${i}`, i)));
    store.push('u', [m(100, 'B', 'b', 'from B')]);
    const seen: unknown[] = [];
    let cursor = 0;
    let requests = 0;
    for (;;) {
      const page = store.pull('u', { cursor, limit: 100, excludeClientId: 'A' });
      requests++;
      expect(page.cursor).toBeGreaterThanOrEqual(cursor);
      seen.push(...page.messages.map((x) => x.value));
      cursor = page.cursor;
      if (!page.more) break;
    }
    expect(seen).toEqual(['from B']);
    expect(cursor).toBe(26);
    expect(requests).toBe(3);
  });

  it('ends a page early when its values are large, and always returns at least one message', () => {
    const { store } = open({ maxPageBytes: 100_000 });
    const big = 'x'.repeat(60_000);
    store.push('u', [m(1, 'A', 'r1', big), m(2, 'A', 'r2', big), m(3, 'A', 'r3', big)]);
    const p1 = store.pull('u', { cursor: 0, limit: 10, excludeClientId: 'B' });
    expect([p1.messages.length, p1.more, p1.cursor]).toEqual([2, true, 2]);
    const p2 = store.pull('u', { cursor: 2, limit: 10, excludeClientId: 'B' });
    expect([p2.messages.length, p2.more, p2.cursor]).toEqual([1, false, 3]);
  });

  /** A database file marked as written by a newer server (a schema version this one does not know). */
  function newerDatabase(): string {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const file = join(dir.path, 'db.sqlite');
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    return file;
  }

  it('refuses a database written by a newer server', () => {
    const file = newerDatabase();
    expect(() => createSqliteServerStore({ file })).toThrow(/newer than this server knows/);
  });

  it('keeps the same hlc pushed into another cell once (idempotent on user and hlc)', () => {
    const { store } = open();
    const a = m(1, 'A', 'r1', 'first');
    store.push('u', [a]);
    const r = store.push('u', [{ ...a, row: 'r2', value: 'impostor' }]);
    expect([r.accepted, r.stored]).toEqual([1, 0]);
    store.push('u', [m(0, 'A', 'r2', 'older')]);
    const r2 = store.push('u', [{ ...a, row: 'r2', value: 'impostor' }]);
    expect(r2.stored).toBe(0);
    expect(store.pull('u', { cursor: 0, limit: 10, excludeClientId: 'B' }).messages.map((x) => x.value)).toEqual(['first', 'older']);
  });

  it('fails a replacement that breaks another unique index, storing nothing of its push (only a known hlc counts as not stored)', () => {
    const { store, file } = open();
    store.push('u', [m(1, 'A', 'r1', 'one'), m(2, 'A', 'r2', 'two')]);
    // A damaged counter: the next id is one that A's message in r2 already has.
    const other = new Database(file);
    other.prepare('UPDATE users SET last_id = 1').run();
    other.close();
    expect(() => store.push('u', [m(3, 'A', 'r3', 'new cell'), m(4, 'A', 'r1', 'replacement')])).toThrow(/UNIQUE constraint failed: messages\.uid, messages\.id/);
    const reader = new Database(file, { readonly: true });
    try {
      expect(reader.prepare('SELECT id, value FROM messages ORDER BY id').all()).toEqual([{ id: 1, value: '"one"' }, { id: 2, value: '"two"' }]);
    } finally {
      reader.close();
    }
  });

  it('compacts by default', () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const store = createSqliteServerStore({ file: join(dir.path, 'db.sqlite') });
    store.push('u', [m(2, 'A', 'r', 'newer')]);
    expect(store.push('u', [m(1, 'B', 'r', 'older')]).stored).toBe(0);
    store.close();
  });

  it('works in memory, without creating a file', () => {
    const store = createSqliteServerStore({ file: ':memory:' });
    expect(store.push('u', [m(1, 'A', 'r', 'x')]).maxId).toBe(1);
    expect(store.pull('u', { cursor: 0, limit: 10, excludeClientId: 'B' }).messages).toHaveLength(1);
    store.close();
    expect(existsSync(':memory:')).toBe(false);
  });

  it.skipIf(process.platform === 'win32')('creates its folder and file readable by the server\'s user only', () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const file = join(dir.path, 'nested', 'db.sqlite');
    createSqliteServerStore({ file }).close();
    expect(statSync(join(dir.path, 'nested')).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it.skipIf(!existsSync('/proc/self/fd'))('closes its connection when the database cannot be used', () => {
    const file = newerDatabase();
    const before = readdirSync('/proc/self/fd').length;
    expect(() => createSqliteServerStore({ file })).toThrow(/newer than this server knows/);
    expect(readdirSync('/proc/self/fd').length).toBe(before);
  });

  it('refuses a message whose value is not JSON, storing nothing of its push', () => {
    const { store } = open();
    const push = [m(1, 'A', 'r1', 'fine'), { ...m(2, 'A', 'r2', 'x'), value: undefined as never }];
    // push() checks every message first (checkServerStoreCall); pushMany (the store thread's,
    // whose messages the sync handler has checked) finds it as it writes, and undoes its push.
    expect(() => store.push('u', push)).toThrow(expect.objectContaining({ name: 'ValidationError', code: 'invalid_argument', message: expect.stringMatching(/^push: message 1: /) }));
    const [result] = store.pushMany([{ userId: 'u', messages: push }]);
    expect(result).toEqual(new TypeError('a message value is not JSON'));
    expect(store.pull('u', { cursor: 0, limit: 10, excludeClientId: 'B' }).messages).toEqual([]);
  });

  it('pushMany refuses an item that is not a user and a list of messages as that item\'s result, and commits the others', () => {
    const { store } = open();
    const results = store.pushMany([
      { userId: 5, messages: [m(1, 'A', 'r1', 'a')] } as never, { userId: '', messages: [m(3, 'A', 'r3', 'c')] }, { userId: 'u', messages: 'x' } as never, null as never,
      { userId: 'u', messages: [m(2, 'A', 'r2', 'b')] },
    ]);
    expect(results.slice(0, 4).map((r) => [(r as Error).name, (r as { code?: string }).code, (r as Error).message])).toEqual([
      ['ValidationError', 'invalid_argument', 'pushMany: userId must be a non-empty string'],
      ['ValidationError', 'invalid_argument', 'pushMany: userId must be a non-empty string'],
      ['ValidationError', 'invalid_argument', 'pushMany: messages must be an array'],
      ['ValidationError', 'invalid_argument', 'pushMany: userId must be a non-empty string'],
    ]);
    expect(results[4]).toEqual({ accepted: 1, stored: 1, maxId: 1 });
    expect(() => store.pushMany('x' as never)).toThrow(expect.objectContaining({ name: 'ValidationError', code: 'invalid_argument', message: 'pushMany: items must be an array of { userId, messages }' }));
    expect(store.pull('u', { cursor: 0, limit: 10, excludeClientId: 'B' }).messages.map((x) => x.value)).toEqual(['b']);
  });

  it('ends a page once its values reach the byte limit exactly', () => {
    const { store } = open({ maxPageBytes: 10 });
    store.push('u', [m(1, 'A', 'r1', 'abc'), m(2, 'A', 'r2', 'def'), m(3, 'A', 'r3', 'ghi')]); // 5 bytes of JSON each
    const page = store.pull('u', { cursor: 0, limit: 10, excludeClientId: 'B' });
    expect([page.messages.length, page.more, page.cursor]).toEqual([2, true, 2]);
  });

  it('close() is final and may be called twice: every call after it is a StoreError', () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const store = createSqliteServerStore({ file: join(dir.path, 'db.sqlite') });
    store.close();
    expect(() => store.close()).not.toThrow();
    const closed = expect.objectContaining({ name: 'StoreError', message: 'The database connection is not open' });
    expect(() => store.push('u', [m(1, 'A', 'r', 'x')])).toThrow(closed);
    expect(() => store.pushMany([])).toThrow(closed);
    expect(() => store.pull('u', { cursor: 0, limit: 10, excludeClientId: 'A' })).toThrow(closed);
    expect(() => store.renewEpoch('u', '')).toThrow(closed);
  });

  it('waits for another process\'s write lock, up to its busy timeout', async () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const file = join(dir.path, 'db.sqlite');
    createSqliteServerStore({ file }).close();
    const holdLock = async (ms: number): Promise<ChildProcess> => {
      const child = spawn(process.execPath, ['-e', `
        const Database = require('better-sqlite3');
        const db = new Database(process.argv[1]);
        db.exec('BEGIN IMMEDIATE');
        process.stdout.write('locked\\n');
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.argv[2]));
        db.exec('COMMIT');
        db.close();`, file, String(ms)], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout?.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`the lock holder exited (${code})`)));
      });
      return child;
    };
    const exited = (child: ChildProcess) => new Promise((resolve) => child.exitCode !== null ? resolve(null) : child.once('exit', resolve));

    const impatient = createSqliteServerStore({ file, busyTimeoutMs: 0 });
    const holder = await holdLock(1500);
    expect(() => impatient.push('u', [m(1, 'A', 'r', 'x')])).toThrow(/locked|busy/i);
    impatient.close();
    await exited(holder);

    const patient = createSqliteServerStore({ file }); // default: waits up to 5 s
    const again = await holdLock(300);
    expect(patient.push('u', [m(1, 'A', 'r', 'x')]).stored).toBe(1);
    patient.close();
    await exited(again);
  });
});

describe('pushMany (group commit)', () => {
  it('commits several pushes together, undoing a failing one alone', () => {
    const store = createSqliteServerStore({ file: ':memory:' });
    const m = (clientId: string, i: number, value: unknown) => ({
      hlc: formatHlc({ millis: Date.UTC(2026, 0, 1) + i, counter: 0, clientId }), table: 'notes', row: `${clientId}-${i}`, column: 'title', value,
    }) as never;
    const results = store.pushMany([
      { userId: 'u1', messages: [m('a', 1, 'one'), m('a', 2, 'two')] },
      // Fails on its third message, after two were written: all three must be undone.
      { userId: 'u1', messages: [m('b', 1, 'x'), m('b', 2, 'y'), m('b', 3, undefined)] },
      { userId: 'u2', messages: [m('c', 1, 'z')] },
      { userId: 'u1', messages: [m('d', 1, 'three')] },
    ]);
    expect(results[0]).toEqual({ accepted: 2, stored: 2, maxId: 2 });
    expect(results[1]).toBeInstanceOf(Error);
    expect(results[2]).toEqual({ accepted: 1, stored: 1, maxId: 1 });
    expect(results[3]).toEqual({ accepted: 1, stored: 1, maxId: 3 });
    const page = store.pull('u1', { cursor: 0, limit: 100, excludeClientId: 'observer' });
    expect(page.messages.map((x) => [x.id, x.value])).toEqual([[1, 'one'], [2, 'two'], [3, 'three']]);
    store.close();
  });

  it('fails the whole round, storing none of it, when SQLite rolls back the transaction (disk full, I/O error)', () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'db.sqlite');
      const store = createSqliteServerStore({ file });
      // SQLITE_FULL and SQLITE_IOERR roll back the whole transaction, not the savepoint; a
      // trigger raising ROLLBACK does the same, on cue.
      const other = new Database(file);
      other.exec(`CREATE TRIGGER disk_full BEFORE INSERT ON messages WHEN NEW.value = '"full"' BEGIN SELECT RAISE(ROLLBACK, 'database or disk is full (simulated)'); END`);
      other.close();
      const m = (clientId: string, i: number, value: unknown) => ({
        hlc: formatHlc({ millis: Date.UTC(2026, 0, 1) + i, counter: 0, clientId }), table: 'notes', row: `${clientId}-${i}`, column: 'title', value,
      }) as never;
      expect(() => store.pushMany([
        { userId: 'u1', messages: [m('a', 1, 'one')] },
        { userId: 'u1', messages: [m('b', 1, 'full')] },
        { userId: 'u1', messages: [m('c', 1, 'two')] },
      ])).toThrow(/disk is full \(simulated\)/);
      expect(store.pull('u1', { cursor: 0, limit: 100, excludeClientId: 'observer' }).messages).toEqual([]);
      expect(store.push('u1', [m('d', 1, 'three')])).toEqual({ accepted: 1, stored: 1, maxId: 1 });
      store.close();
    } finally {
      dir.remove();
    }
  });
});
