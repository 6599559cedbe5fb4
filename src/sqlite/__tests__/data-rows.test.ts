/**
 * The SQLite store's reads of data rows for an app (data-rows.ts): what a wrong argument is
 * told. Round 61's mutation run left these unchecked: a row id that is not a string read as
 * no row, and the texts lost their names.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { conformanceSchema } from '../../sync/testing/index.ts';
import { createSqliteStore, openDatabase } from '../index.ts';

let close: (() => void) | undefined;
afterEach(() => close?.());

function open() {
  const db = openDatabase(':memory:');
  close = () => db.close();
  const store = createSqliteStore(db);
  store.open(conformanceSchema);
  return store;
}

describe("the SQLite store's data-row reads", () => {
  it('readRow refuses a row id that is not a string, saying so', () => {
    const store = open();
    expect(() => store.readRow('notes', 5 as never)).toThrow('readRow(table, row): row must be a string');
  });

  it("an undeclared table's name is cut to 100 characters in the refusal", () => {
    const store = open();
    const name = `t${'x'.repeat(300)}`;
    expect(() => store.readRow(name, 'r1')).toThrow(`no table ${name.slice(0, 100)} in the schema`);
    expect(() => store.readRow(name, 'r1')).not.toThrow(name.slice(0, 101));
  });

  it('rows(table, options) names itself when its options are wrong', () => {
    const store = open();
    expect(() => store.rows('notes', { includeDeleted: 'yes' } as never)).toThrow('rows(table, options): options must be { includeDeleted?: boolean }');
  });
});
