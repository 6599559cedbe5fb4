/**
 * The push writer (push-writer.ts) driven directly on a real SQLite file, with every INSERT
 * it runs counted by its rows. push-writer.test.ts proves it stores what the reference store
 * stores; through the store, a chunk that went wrong is undone and written again row by row
 * (RedoRowByRow), so that suite passes as well with chunks that never run or always fail.
 * These pin the chunks themselves: which statements a push takes, what each row holds, that
 * a chunk storing some of its rows closes its gaps without a redo, and that a real failure
 * is thrown, not retried or taken for a duplicate.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from 'fieldsync';
import { formatHlc } from 'fieldsync/server';
import { createPushWriter, JsonValueMessage, type PushWriter } from '../stores/push-writer.ts';
import { createSqliteServerStore } from '../stores/sqlite-server-store.ts';
import { tempDir } from './helpers/temp-dir.ts';

const BASE = Date.UTC(2026, 11, 3, 12, 0, 0);
const UID = 7;
const hlc = (ms: number, clientId = 'A'): string => formatHlc({ millis: BASE + ms, counter: 0, clientId });
const cell = (ms: number, row: string, value: Message['value'] = `v${ms}`, clientId = 'A'): Message => ({ hlc: hlc(ms, clientId), table: 'todos', row, column: 'title', value });
/** `n` messages of new cells, their hlcs from `ms` on. */
const fresh = (n: number, ms = 0, prefix = 'r', clientId = 'A'): Message[] => Array.from({ length: n }, (_, i) => cell(ms + i, `${prefix}${i}`, `v${ms + i}`, clientId));

interface Opened {
  /** A writer on the database whose `prepare` counts what the statements it makes run. */
  readonly writer: PushWriter;
  /** The rows of each INSERT run, in order (1 for a single-row statement). */
  readonly inserts: number[];
  /** How many times a stored row moved to another id (closing a chunk's gaps). */
  readonly moves: number;
  /** The user's messages as stored, in id order. */
  stored(): { id: number; hlc: string; tbl: string; row: string; col: string; value: string; client_id: string }[];
}

describe('push writer: the statements a push takes', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  /** A server database with its schema (made by the store, then closed), every INSERT counted. */
  function open(compaction: boolean): Opened {
    const dir = tempDir();
    const file = join(dir.path, 'db.sqlite');
    createSqliteServerStore({ file, compaction }).close();
    const db = new DatabaseSync(file);
    cleanups.push(() => {
      db.close();
      dir.remove();
    });
    const inserts: number[] = [];
    let moves = 0;
    const counted = (sql: string): StatementSync => {
      const statement = db.prepare(sql);
      const rows = sql.startsWith('INSERT INTO messages') ? sql.split('(?, ?, ?').length - 1 : 0;
      const moving = sql.startsWith('UPDATE messages SET id');
      if (rows === 0 && !moving) return statement;
      return new Proxy(statement, {
        get(target, key) {
          if (key === 'run') {
            return (...args: never[]) => {
              if (moving) moves++;
              else inserts.push(rows);
              return target.run(...args);
            };
          }
          const v = Reflect.get(target, key) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
    };
    const counting = new Proxy(db, { get: (target, key) => (key === 'prepare' ? counted : (Reflect.get(target, key) as unknown)) });
    return {
      writer: createPushWriter(counting, compaction),
      inserts,
      get moves() {
        return moves;
      },
      stored: () => db.prepare('SELECT id, hlc, tbl, row, col, value, client_id FROM messages WHERE uid = ? ORDER BY id').all(UID) as never,
    };
  }

  for (const compaction of [true, false]) {
    it(`a push of new cells takes the largest chunks that fit, then single rows; each row as sent (compaction ${compaction ? 'on' : 'off'})`, () => {
      const o = open(compaction);
      const { writer } = o;
      // 80 = 64 + 16 exactly (a chunk that just fits is taken), then 19 = 16 + 3 single rows.
      const first = fresh(80);
      expect(writer.write(UID, 10, first, false)).toBe(90);
      expect(o.inserts).toEqual([64, 16]);
      const second = fresh(19, 100, 's').map((m, i) => (i % 2 === 0 ? new JsonValueMessage(m.hlc, m.table, m.row, m.column, `{"n":${i}}`) : m));
      expect(writer.write(UID, 90, second, false)).toBe(109);
      expect(o.inserts).toEqual([64, 16, 16, 1, 1, 1]);
      expect(o.moves).toBe(0);
      expect(o.stored()).toEqual([...first, ...second].map((m, k) => ({
        id: 11 + k, hlc: m.hlc, tbl: 'todos', row: m.row, col: 'title',
        value: m instanceof JsonValueMessage ? m.json : JSON.stringify(m.value), client_id: 'A',
      })));
    });

    it(`a push whose messages are all known takes the same chunks, and stores nothing (compaction ${compaction ? 'on' : 'off'})`, () => {
      const o = open(compaction);
      const { writer } = o;
      const messages = fresh(83);
      expect(writer.write(UID, 0, messages, false)).toBe(83);
      const before = o.stored();
      // The same push again (a client that lost the answer): no row conflicts its way to single rows.
      expect(writer.write(UID, 83, messages, false)).toBe(83);
      expect(o.inserts).toEqual([64, 16, 1, 1, 1, 64, 16, 1, 1, 1]);
      expect(o.stored()).toEqual(before);
    });
  }

  it('a push whose every message loses its cell stores none and still goes in chunks', () => {
    const o = open(true);
    const { writer } = o;
    expect(writer.write(UID, 0, fresh(80, 1000), false)).toBe(80);
    o.inserts.length = 0;
    // Older messages of the same cells, from another device: every one loses.
    const older = fresh(80, 0, 'r', 'B');
    expect(writer.write(UID, 80, older, false)).toBe(80);
    expect(o.inserts).toEqual([64, 16]);
  });

  it('a chunk that stores some of its rows closes its gaps, in push order, without a redo; the rest goes row by row', () => {
    const o = open(true);
    const { writer } = o;
    // Odd rows hold newer messages: in the push below, their messages lose, the even rows' are new cells.
    expect(writer.write(UID, 0, Array.from({ length: 8 }, (_, k) => cell(1000 + k, `r${2 * k + 1}`)), false)).toBe(8);
    o.inserts.length = 0;
    const push = [...fresh(16, 0, 'r', 'B'), ...fresh(3, 50, 'tail', 'B')];
    expect(writer.write(UID, 8, push, false)).toBe(8 + 8 + 3);
    expect(o.inserts).toEqual([16, 1, 1, 1]);
    // The chunk bound ids 9 to 24; r0 kept its 9, the seven other stored rows moved down.
    expect(o.moves).toBe(7);
    const kept = o.stored().slice(8);
    expect(kept.map((r) => r.id)).toEqual(Array.from({ length: 11 }, (_, k) => 9 + k));
    expect(kept.map((r) => r.row)).toEqual(['r0', 'r2', 'r4', 'r6', 'r8', 'r10', 'r12', 'r14', 'tail0', 'tail1', 'tail2']);
  });

  it("a chunk's message whose hlc another cell holds makes the chunk go row by row, and is not stored", () => {
    const o = open(true);
    const { writer } = o;
    expect(writer.write(UID, 0, [cell(1, 'taken'), cell(0, 'r5', 'old')], false)).toBe(2);
    o.inserts.length = 0;
    const push = fresh(16, 10).map((m, i) => (i === 5 ? cell(1, 'r5', 'impostor') : m));
    expect(writer.write(UID, 2, push, false)).toBe(2 + 15);
    expect(o.inserts).toEqual([16, ...Array<number>(16).fill(1)]);
    expect(o.stored().find((r) => r.row === 'r5')?.value).toBe('"old"');
  });

  it('a real failure in a chunk is thrown, not retried row by row', () => {
    const o = open(true);
    const { writer } = o;
    const push = fresh(16).map((m, i) => (i === 3 ? { ...m, table: null as never } : m));
    expect(() => writer.write(UID, 0, push, false)).toThrow(/NOT NULL/);
    expect(o.inserts).toEqual([16]);
  });

  it('a real failure of a single row is thrown, even when its hlc is stored: it is not taken for a duplicate', () => {
    const o = open(true);
    const { writer } = o;
    const m = cell(0, 'r0');
    expect(writer.write(UID, 0, [m], false)).toBe(1);
    expect(() => writer.write(UID, 1, [{ ...m, row: null as never }], false)).toThrow(/NOT NULL/);
  });

  it('row by row, when asked: one statement per message, the same rows', () => {
    const o = open(true);
    const { writer } = o;
    expect(writer.write(UID, 0, fresh(20), true)).toBe(20);
    expect(o.inserts).toEqual(Array<number>(20).fill(1));
    expect(o.stored().map((r) => r.row)).toEqual(Array.from({ length: 20 }, (_, i) => `r${i}`));
  });
});
