/**
 * Checks a local write before anything is stamped or stored: the table, the row id and
 * every field must fit the schema and the protocol's limits. A bad write throws a typed
 * error and nothing is written, not even its other, valid fields.
 */
import { SchemaError, ValidationError } from './errors.ts';
import { DELETED_COLUMN, rowError, type JsonValue } from './message.ts';
import { schemaValueError, type Schema } from './schema.ts';

export interface FieldChange {
  readonly column: string;
  readonly value: JsonValue;
}

export function checkLocalWrite(schema: Schema, table: unknown, row: unknown, fields: unknown): FieldChange[] {
  if (typeof table !== 'string' || !schema.tables.has(table)) {
    throw new SchemaError(`unknown table: ${String(table).slice(0, 100)}`);
  }
  const rowProblem = rowError(row);
  if (rowProblem) throw new ValidationError('invalid_argument', rowProblem);
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new ValidationError('invalid_argument', 'fields must be an object of column: value');
  }
  const columns = Object.keys(fields);
  if (columns.length === 0) throw new ValidationError('invalid_argument', 'a write needs at least one field');
  const out: FieldChange[] = [];
  for (const column of columns) {
    const value = (fields as Record<string, unknown>)[column];
    if (column === DELETED_COLUMN && value !== true && value !== false) {
      throw new SchemaError(`${DELETED_COLUMN} must be true or false`);
    }
    const problem = schemaValueError(schema, table, column, value);
    if (problem) throw new SchemaError(problem);
    out.push({ column, value: value as JsonValue });
  }
  return out;
}
