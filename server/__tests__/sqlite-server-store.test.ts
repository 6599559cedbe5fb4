import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from 'fieldsync';
import { formatHlc } from 'fieldsync/server';
import { serverStoreConformance, type ServerStoreHarness } from 'fieldsync/testing';
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
      it(c.name, c.run);
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
      expect(db.pragma('user_version', { simple: true })).toBe(1);
    } finally {
      db.close();
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

  it('refuses a database written by a newer server', () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const file = join(dir.path, 'db.sqlite');
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
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
});
