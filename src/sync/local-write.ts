/**
 * Checks a local write before anything is stamped or stored: the table, the row id and
 * every field must fit the schema and the protocol's limits. A bad write throws a typed
 * error and nothing is written, not even its other, valid fields.
 */
import { isObject } from './option-keys.ts';
import { SchemaError, invalidArgument } from './errors.ts';
import { DELETED_COLUMN, rowError, type JsonValue } from './message.ts';
import { schemaValueError, type Schema } from './schema.ts';
import type { Cell } from './store.ts';

/** One checked field of a local write: its cell (so it can be asked for as one), and its value. */
export interface FieldChange extends Cell {
  readonly value: JsonValue;
}

function checkRow(schema: Schema, table: unknown, row: unknown): asserts table is string {
  if (typeof table !== 'string' || !schema.tables.has(table)) {
    throw new SchemaError(`unknown table: ${typeof table === 'string' ? table.slice(0, 100) : `(${typeof table})`}`);
  }
  const rowProblem = rowError(row);
  if (rowProblem) throw invalidArgument(rowProblem);
}

function checkField(schema: Schema, table: string, row: string, column: string, value: unknown): FieldChange {
  if (column === DELETED_COLUMN && value !== true && value !== false) {
    throw new SchemaError(`${DELETED_COLUMN} must be true or false`);
  }
  const problem = schemaValueError(schema, table, column, value);
  if (problem) throw new SchemaError(problem);
  // -0 is written as 0: JSON has no -0, so every other device gets 0 (and 0 === -0 here).
  return { table, row, column, value: typeof value === 'object' && value !== null ? snapshot(schema, table, column, value) : value === 0 ? 0 : (value as JsonValue) };
}

/**
 * An object or array as it is written: a copy of its JSON, checked again. The check read the
 * app's object, and the store, the returned message and the push would each read it again: a
 * getter or a Proxy that answers differently each time passed a 64 KiB check and stored (and
 * sent, to be refused) 200 KB. The copy is plain data no one else holds, so what was checked
 * is what is kept. The first check stays, for its reasons: JSON.stringify would quietly turn
 * a Date into a string, and throw on a cycle or a BigInt.
 */
function snapshot(schema: Schema, table: string, column: string, value: object): JsonValue {
  const copy = JSON.parse(JSON.stringify(value)) as JsonValue;
  const problem = schemaValueError(schema, table, column, copy);
  if (problem) throw new SchemaError(problem);
  return copy;
}

/** A write of several fields (`update`). */
export function checkLocalWrite(schema: Schema, table: unknown, row: unknown, fields: unknown): FieldChange[] {
  checkRow(schema, table, row);
  if (!isObject(fields)) {
    throw invalidArgument('fields must be an object of column: value');
  }
  const columns = Object.keys(fields);
  if (columns.length === 0) throw invalidArgument('a write needs at least one field');
  return columns.map((column) => checkField(schema, table, row as string, column, (fields as Record<string, unknown>)[column]));
}

/** A write of one field (`set`, `delete`): the same checks, without an object of fields to walk. */
export function checkLocalField(schema: Schema, table: unknown, row: unknown, column: string, value: unknown): FieldChange {
  checkRow(schema, table, row);
  return checkField(schema, table, row as string, column, value);
}
