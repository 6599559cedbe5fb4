/**
 * JSON values as SQLite values and back, per column type.
 *
 * A value of the column's type is stored natively (TEXT, INTEGER, REAL, 0/1, JSON text), so
 * an app reads its data with plain SQL. A value that is not of the column's type is stored
 * as a BLOB of its JSON text: the library writes one only when the schema changed a column's
 * type and a cell still holds a value of the earlier type (retype-column.ts converts those,
 * and a refused write's cell may fall back to such a message). No native write makes a BLOB,
 * and a column's affinity never converts one, so it reads back exactly, in any column.
 */
import type { ColumnType, JsonValue } from '../sync/index.ts';
import { errorText, invalidArgument } from '../sync/errors.ts';
import { COLUMN_TYPES } from '../sync/schema.ts';
import { isWellFormed } from '../sync/message.ts'; // UTF-8 (a TEXT column) cannot keep a lone surrogate

export type SqlValue = string | number | Uint8Array | null;

/** The BLOB that keeps a value of another type exactly (its JSON text). */
const misfit = (value: JsonValue): Uint8Array => Buffer.from(JSON.stringify(value), 'utf8');

/** Whether `value` (not null) is of the column's type, so that it is stored natively. */
export function fitsType(type: ColumnType, value: JsonValue): boolean {
  switch (type) {
    case 'string': return typeof value === 'string';
    case 'integer': return Number.isSafeInteger(value);
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'boolean': return typeof value === 'boolean';
    case 'json': return true;
    default: throw unknownType('fitsType', type);
  }
}

/** Public helpers are given a column type by the app: one they do not know is its mistake. */
const unknownType = (fn: string, type: unknown): Error =>
  invalidArgument(`${fn}: unknown column type ${errorText(type).slice(0, 40)} (string, integer, number, boolean or json)`);

/** A JSON value as it is stored in a column of this type. */
export function toSql(type: ColumnType, value: JsonValue): SqlValue {
  if (value === null) return null;
  switch (type) {
    case 'boolean':
      return value === true ? 1 : value === false ? 0 : misfit(value);
    case 'json':
      return JSON.stringify(value);
    case 'string':
      return typeof value === 'string' ? value : misfit(value);
    case 'integer':
    case 'number':
      return typeof value === 'number' && fitsType(type, value) ? value : misfit(value);
  }
}

/** True when `fromSql(type, toSql(type, value))` gives `value` back exactly as a native value of the column. */
export function keepsExactly(type: ColumnType, value: JsonValue): boolean {
  if (value === null) return true;
  switch (type) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return Number.isSafeInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0);
    case 'string':
      return typeof value === 'string' && isWellFormed(value) && !value.includes('\u0000');
    case 'json':
      return true; // JSON text, parsed back
  }
}

/** A stored value back as the JSON value that was written. */
export function fromSql(type: ColumnType, value: unknown): JsonValue {
  // A NULL is null in every column, but the type is checked first: `fromSql(5, null)` is an app's mistake.
  if (value === null || value === undefined) {
    if (!COLUMN_TYPES.includes(type)) throw unknownType('fromSql', type);
    return null;
  }
  if (value instanceof Uint8Array) return JSON.parse(Buffer.from(value).toString('utf8')) as JsonValue; // a misfit
  switch (type) {
    case 'boolean':
      return value === 1 || value === 1n || value === true;
    case 'json':
      try {
        return JSON.parse(String(value)) as JsonValue;
      } catch {
        return String(value);
      }
    case 'integer':
    case 'number':
      return typeof value === 'bigint' ? Number(value) : (value as JsonValue);
    case 'string':
      return typeof value === 'string' ? value : String(value);
    default:
      throw unknownType('fromSql', type);
  }
}
