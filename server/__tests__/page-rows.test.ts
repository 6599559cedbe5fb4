import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { pageRowReader, type PageStatement } from '../stores/page-rows.ts';

describe('pageRowReader', () => {
  const db = new DatabaseSync(':memory:');
  db.exec(`CREATE TABLE messages (id INTEGER, hlc TEXT, tbl TEXT, row TEXT, col TEXT, value TEXT);
    INSERT INTO messages VALUES (1, 'h1', 'notes', 'r1', 'title', '"a"'), (2, 'h2', 'todos', 'r2', 'done', 'true');`);
  const sql = 'SELECT id, hlc, tbl, row, col, value FROM messages WHERE id > ? ORDER BY id LIMIT ?';
  const expected = [[1, 'h1', 'notes', 'r1', 'title', '"a"'], [2, 'h2', 'todos', 'r2', 'done', 'true']];

  it('reads rows as [id, hlc, tbl, row, col, value], as arrays straight from node:sqlite where it can', () => {
    expect(pageRowReader(db.prepare(sql))(0, 10)).toEqual(expected);
  });

  it('turns row objects into the same arrays on a node:sqlite without setReturnArrays (before Node 24)', () => {
    const statement = db.prepare(sql);
    // An older node:sqlite: the statement has all() and returns objects.
    const old: PageStatement = { all: (...params) => statement.all(...params) };
    expect(pageRowReader(old)(0, 10)).toEqual(expected);
    expect(pageRowReader(old)(1, 10)).toEqual(expected.slice(1));
  });
});
