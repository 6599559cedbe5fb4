/**
 * The app's declared tables and columns. The schema decides which messages are applied to
 * data tables, checks every local write, and is the only source of SQL identifiers a store
 * may use: names that arrive in messages are looked up here, never pasted into SQL.
 */
import { SchemaError, reading } from './errors.ts';
import { unknownOptionError } from './option-keys.ts';
import { DELETED_COLUMN, IDENTIFIER_PATTERN, VALUE_MAX_BYTES, codePoints, valueError, type JsonValue } from './message.ts';

export type ColumnType = 'string' | 'number' | 'integer' | 'boolean' | 'json';

export interface ColumnDef {
  readonly type: ColumnType;
  /** Whether `null` may be written explicitly. Default false. */
  readonly nullable?: boolean;
  /** For strings: the most characters (code points) allowed. */
  readonly maxLength?: number;
}

export type ColumnSpec = ColumnType | ColumnDef;

export interface SchemaInput {
  /**
   * Bump it whenever tables or columns change. Kept messages (those of tables or columns this
   * app did not declare yet) are re-examined when it changes, and also when the declared
   * tables and columns change under the same version.
   */
  readonly version: number;
  readonly tables: Readonly<Record<string, Readonly<Record<string, ColumnSpec>>>>;
}

/** A column as the schema holds it: defaults filled in. */
export interface ColumnInfo extends ColumnDef {
  readonly nullable: boolean;
}

export interface TableDef {
  readonly name: string;
  /** Declared columns plus the reserved `_deleted` tombstone column. */
  readonly columns: ReadonlyMap<string, ColumnInfo>;
}

/** Where a schema keeps the declaration it was made from, for the types only (never set). */
declare const declaration: unique symbol;

/**
 * The declared tables, as `defineSchema` returns them. `I` is the declaration it was made
 * from: a client made with it takes only its tables, columns and values at compile time
 * (`SyncClient<I>`). A schema built at run time, its tables not known to the compiler, is
 * `Schema` (any table name, any JSON value), checked when the app runs, as every schema is.
 */
export interface Schema<I extends SchemaInput = SchemaInput> {
  readonly version: number;
  readonly tables: ReadonlyMap<string, TableDef>;
  readonly [declaration]?: I;
}

/** The value a column takes, by its spec: `'integer'` a number, `{ type: 'string', nullable: true }` a string or null. */
export type ColumnValue<C extends ColumnSpec> = C extends ColumnType
  ? TypeValue<C>
  : C extends ColumnDef
    ? TypeValue<C['type']> | (C extends { readonly nullable: true } ? null : never)
    : never;
type TypeValue<T extends ColumnType> = T extends 'string' ? string : T extends 'number' | 'integer' ? number : T extends 'boolean' ? boolean : JsonValue;

/** The fields of a row of table `T` of declaration `I`, as a write takes them (`_deleted` included). */
export type RowFields<I extends SchemaInput, T extends keyof I['tables']> = { readonly [C in keyof I['tables'][T]]: ColumnValue<I['tables'][T][C]> } & { readonly _deleted: boolean };

const SCHEMA_KEYS = { version: 0, tables: 0 } satisfies Record<keyof SchemaInput, 0>;
/**
 * Whether `value` is a schema as `defineSchema` returns it (its tables in a Map): the one
 * test of the client's options, the stores' `open` and fieldsync/testing's merge step.
 */
export const isSchema = (value: unknown): value is Schema => (value as { tables?: unknown } | null)?.tables instanceof Map;

/** Every column type, as `defineSchema` takes them. */
export const COLUMN_TYPES: readonly ColumnType[] = ['string', 'number', 'integer', 'boolean', 'json'];
/** The keys a column's definition may have: a misspelt one (`maxlength`) would drop its rule unseen. */
const COLUMN_KEYS: readonly string[] = ['type', 'nullable', 'maxLength'];
/** `id` is the row key column in SQL stores; names starting with `_` are reserved. */
const RESERVED_COLUMNS = new Set(['id']);

/**
 * Declares the synced tables.
 *
 * ```ts
 * const schema = defineSchema({
 *   version: 1,
 *   tables: { todos: { title: { type: 'string', maxLength: 500 }, done: 'boolean' } },
 * });
 * ```
 */
export function defineSchema<const I extends SchemaInput>(input: I): Schema<I> {
  return reading('defineSchema: reading the declaration', () => declared(input)) as Schema<I>;
}

function declared(input: SchemaInput): Schema {
  if (typeof input !== 'object' || input === null) throw new SchemaError('schema must be an object');
  const unknown = unknownOptionError(input, SCHEMA_KEYS);
  if (unknown) throw new SchemaError(`schema: ${unknown}`);
  const { version, tables } = input;
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new SchemaError('schema version must be a positive integer');
  }
  if (!isPlainObject(tables)) throw new SchemaError('schema tables must be an object');
  const out = new Map<string, TableDef>();
  const lowerNames = new Set<string>();
  for (const [name, columns] of Object.entries(tables)) {
    checkName(name, 'table');
    if (lowerNames.has(name.toLowerCase())) throw new SchemaError(`table names differ only by case: ${name}`);
    lowerNames.add(name.toLowerCase());
    if (!isPlainObject(columns)) throw new SchemaError(`table ${name}: columns must be an object`);
    out.set(name, { name, columns: defineColumns(name, columns) });
  }
  return { version, tables: out };
}

function defineColumns(table: string, columns: Readonly<Record<string, ColumnSpec>>): TableDef['columns'] {
  const out = new Map<string, ColumnInfo>();
  const lowerNames = new Set<string>();
  for (const [name, spec] of Object.entries(columns)) {
    checkName(name, `column of ${table}`);
    if (RESERVED_COLUMNS.has(name.toLowerCase())) throw new SchemaError(`${table}.${name}: the name is reserved`);
    if (lowerNames.has(name.toLowerCase())) throw new SchemaError(`${table}: column names differ only by case: ${name}`);
    lowerNames.add(name.toLowerCase());
    // Own properties only, read once: an inherited `type` (Object.create({ type })) passed the
    // check but was not copied, so the column had no type and took any value.
    const def: ColumnDef = typeof spec === 'string' ? { type: spec } : typeof spec === 'object' && spec !== null ? { ...spec } : spec;
    if (typeof def !== 'object' || def === null || !COLUMN_TYPES.includes(def.type)) {
      throw new SchemaError(`${table}.${name}: type must be one of ${COLUMN_TYPES.join(', ')}`);
    }
    const unknown = Object.keys(def).find((key) => !COLUMN_KEYS.includes(key));
    if (unknown !== undefined) throw new SchemaError(`${table}.${name}: unknown option ${unknown.slice(0, 80)}; a column has ${COLUMN_KEYS.join(', ')}`);
    if (def.nullable !== undefined && typeof def.nullable !== 'boolean') throw new SchemaError(`${table}.${name}: nullable must be true or false`);
    if (def.maxLength !== undefined && (def.type !== 'string' || !Number.isSafeInteger(def.maxLength) || def.maxLength < 1)) {
      throw new SchemaError(`${table}.${name}: maxLength applies to strings and must be a positive integer`);
    }
    out.set(name, { ...def, nullable: def.nullable ?? false });
  }
  out.set(DELETED_COLUMN, { type: 'boolean', nullable: false });
  return out;
}

/** An object of names: a Map or an array has no entries of its own, and would declare nothing. */
function isPlainObject(v: unknown): boolean {
  const proto = typeof v === 'object' && v !== null ? (Object.getPrototypeOf(v) as unknown) : undefined;
  return proto === Object.prototype || proto === null;
}

function checkName(name: string, what: string): void {
  if (!IDENTIFIER_PATTERN.test(name)) throw new SchemaError(`${what} name must match ${IDENTIFIER_PATTERN.source}: ${name}`);
  if (name.startsWith('_')) throw new SchemaError(`${what} name ${name}: names starting with _ are reserved`);
}

/** Why a value does not fit a column of the schema, or null when it does. */
export function schemaValueError(schema: Schema, table: string, column: string, value: unknown): string | null {
  const tableDef = schema.tables.get(table);
  if (!tableDef) return `unknown table ${table}`;
  const def = tableDef.columns.get(column);
  if (!def) return `unknown column ${table}.${column}`;
  const why = columnValueError(def, value as JsonValue);
  return why === null ? null : `${table}.${column}${why}`;
}

/** Why `v` does not fit a column of `def`, as the rest of a sentence after the column's name, or null. */
function columnValueError(def: ColumnInfo, v: JsonValue): string | null {
  if (v === null) return def.nullable ? null : ' may not be null';
  // Scalars are checked directly; only JSON columns need the full walk of valueError().
  // This runs for every pulled message, so it stays cheap for the common types.
  switch (def.type) {
    case 'string': {
      if (typeof v !== 'string') return ' must be a string';
      // Text columns are stored as native text, which cannot hold lone surrogates.
      const chars = codePoints(v); // negative: a lone surrogate
      if (chars < 0) return ' must be well-formed Unicode text';
      if (def.maxLength !== undefined && chars > def.maxLength) return ` must be at most ${def.maxLength} characters`;
      // At most 3 bytes per UTF-16 unit, plus quotes and escapes: short strings always fit.
      return v.length > MAX_SAFE_STRING ? jsonError(v) : null;
    }
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? null : ' must be a finite number';
    case 'integer':
      return Number.isSafeInteger(v) ? null : ' must be an integer';
    case 'boolean':
      return typeof v === 'boolean' ? null : ' must be a boolean';
    case 'json':
      return jsonError(v);
  }
}

const jsonError = (v: JsonValue): string | null => {
  const problem = valueError(v);
  return problem === null ? null : `: ${problem}`;
};

/** Strings up to this many UTF-16 units are always within the value limit (6 bytes per unit when escaped). */
const MAX_SAFE_STRING = ((VALUE_MAX_BYTES - 2) / 6) | 0; // no call at module level: tree-shakeable
