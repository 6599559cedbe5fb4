/**
 * The building blocks of `app-schema.ts`: an app's tables, declared once, with what the app
 * needs to know beyond the sync schema. Everything generic is derived from it: the sync
 * schema, the API's checks and messages, the core's queries and the renderer's stores.
 *
 * ```ts
 * export const appSchema = defineAppSchema({
 *   version: 1,
 *   tables: {
 *     notes: {
 *       noun: 'note',
 *       titleColumn: 'title',
 *       columns: { title: text({ label: 'Title', max: 200 }), order: order(), createdAt: createdAt() },
 *     },
 *   },
 * });
 * ```
 *
 * Column kinds:
 * - `text`: user text, checked by the input rules (label, length, and the character rule of
 *   text-rule.ts: no control characters, no invisible direction controls); required unless
 *   `optional`. `multiline` allows line breaks and tabs (a note's body). The renderer shows
 *   text that arrived by sync breaking the rule neutralised (lib/display-text.ts).
 * - `flag`: a boolean, false until set.
 * - `parent('lists')`: the row this one belongs to. A row whose parent is deleted is hidden,
 *   and order is kept among the rows of one parent. Set at creation, never changed.
 * - `order()`: a fractional order key the core keeps (create appends, `move` reorders).
 * - `createdAt()`: set by the core when the row is created.
 * - `field(spec)`: any other column of the sync schema, checked against it only.
 *   `field('integer', { label, min, max })`: a number a user types, checked in the label's words.
 */
import { ROW_MAX_CHARS, SchemaError, defineSchema, type ColumnType, type JsonValue, type Schema } from 'fieldsync';

/** A column as `defineSchema` takes it: a type, or a type with its options. */
export type ColumnSpec = ColumnType | { readonly type: ColumnType; readonly nullable?: boolean; readonly maxLength?: number };

/**
 * The sync schema's tombstone column, which the library adds to every table (docs/api.md):
 * `true` deletes a row, a later `false` (Undo) brings it back.
 */
export const TOMBSTONE_COLUMN = '_deleted';

/**
 * The synced table where each instance publishes its display name (one row per clientId,
 * see the sync client's `device` option): every app schema has it, beside its own tables,
 * in the sync schema only (the API's generic methods do not reach it).
 */
export const DEVICES_TABLE = 'devices';
/** The longest device name. */
export const DEVICE_NAME_MAX = 60;
/** The input rule of device names (input-rules.ts), in the renderer and the core. */
export const DEVICE_NAME_RULE = { label: 'Device name', max: DEVICE_NAME_MAX } as const;

/** Fractional order keys grow by about one character per split of the same gap; past this they are renumbered. */
export const ORDER_MAX = 200;

interface ColumnBase<K extends string, V> {
  readonly kind: K;
  /** The column as the sync schema declares it. */
  readonly spec: ColumnSpec;
  /** Type only: the value a row holds in this column. */
  readonly __value?: V;
}

export interface TextColumn extends ColumnBase<'text', string> {
  /** How messages name it: "Title can't be empty." */
  readonly label: string;
  readonly max: number;
  readonly optional: boolean;
  readonly multiline: boolean;
}
export type FlagColumn = ColumnBase<'flag', boolean>;
export interface ParentColumn extends ColumnBase<'parent', string> {
  readonly table: string;
}
export type OrderColumn = ColumnBase<'order', string>;
export type CreatedAtColumn = ColumnBase<'createdAt', number>;
/**
 * A number a user types, named in messages and bounded: `field('integer', { label, min, max })`.
 * The core refuses a value out of range with "Weekly target must be at most 7." (field-checks.ts).
 */
export interface NumberRule {
  readonly label: string;
  readonly min?: number;
  readonly max?: number;
}
export interface FieldColumn<V extends JsonValue = JsonValue> extends ColumnBase<'field', V> {
  /** Only on a number column (`integer` or `number`) given a label. */
  readonly rule?: NumberRule;
}

export type AppColumn = TextColumn | FlagColumn | ParentColumn | OrderColumn | CreatedAtColumn | FieldColumn;

export function text(options: { label: string; max: number; optional?: boolean; multiline?: boolean }): TextColumn {
  return { kind: 'text', spec: { type: 'string', maxLength: options.max }, label: options.label, max: options.max, optional: options.optional ?? false, multiline: options.multiline ?? false };
}
export const flag = (): FlagColumn => ({ kind: 'flag', spec: 'boolean' });
export const parent = (table: string): ParentColumn => ({ kind: 'parent', spec: { type: 'string', maxLength: ROW_MAX_CHARS }, table });
export const order = (): OrderColumn => ({ kind: 'order', spec: { type: 'string', maxLength: ORDER_MAX } });
export const createdAt = (): CreatedAtColumn => ({ kind: 'createdAt', spec: 'integer' });
export const field = <V extends JsonValue = JsonValue>(spec: ColumnSpec, rule?: NumberRule): FieldColumn<V> => (rule === undefined ? { kind: 'field', spec } : { kind: 'field', spec, rule });
/** The sync type of a column spec. */
export const specType = (spec: ColumnSpec): ColumnType => (typeof spec === 'string' ? spec : spec.type);

export interface AppTableInput {
  /** What one row is called in messages: "That todo no longer exists." */
  readonly noun: string;
  /** Plural of `noun`; default `noun + 's'`. */
  readonly plural?: string;
  /** The text column that names a row (toasts, confirmations, accessible names). */
  readonly titleColumn: string;
  readonly columns: Readonly<Record<string, AppColumn>>;
}

/** A table as the app sees it, with its special columns found once. */
export interface AppTable {
  readonly name: string;
  readonly noun: string;
  readonly plural: string;
  readonly titleColumn: string;
  readonly columns: ReadonlyMap<string, AppColumn>;
  readonly parent: { readonly column: string; readonly table: string } | null;
  readonly orderColumn: string | null;
  readonly createdAtColumn: string | null;
  /** Columns a row must have to be shown: required text and the parent. */
  readonly required: readonly string[];
  /** The tables above this one, nearest first: a row is hidden when any of its parents is. */
  readonly ancestors: readonly string[];
  /** Tables whose rows belong to this one's (directly or further down). */
  readonly descendants: readonly string[];
}

/** An app schema, whatever its tables: what the generic core and stores work with. */
export interface AppSchema {
  readonly version: number;
  /** The declaration as written. */
  readonly declared: Readonly<Record<string, AppTableInput>>;
  readonly tableNames: readonly string[];
  /** What the sync client and its store are given. */
  readonly sync: Schema;
  /** The table, or undefined when the app has none of that name. */
  table(name: string): AppTable | undefined;
}

/** The schema `defineAppSchema` returns: it keeps the declaration's types, for typed rows. */
export interface TypedAppSchema<T extends Readonly<Record<string, AppTableInput>>> extends AppSchema {
  readonly declared: T;
  readonly tableNames: readonly (keyof T & string)[];
}

type ValueOf<C> = C extends ColumnBase<string, infer V> ? V : never;

/** One row of a table, as the API returns it: its id and every declared column. */
export type RowOf<S extends AppSchema, N extends keyof S['declared']> = { readonly id: string } & {
  readonly [C in keyof S['declared'][N]['columns']]: ValueOf<S['declared'][N]['columns'][C]>;
};

type ColumnsOf<S extends AppSchema, N extends keyof S['declared']> = S['declared'][N]['columns'];
/** The columns of table `N` whose kind is not one of `K`. */
type ColumnsBut<S extends AppSchema, N extends keyof S['declared'], K extends AppColumn['kind']> = {
  [C in keyof ColumnsOf<S, N>]: ColumnsOf<S, N>[C] extends { readonly kind: K } ? never : C;
}[keyof ColumnsOf<S, N>];

/**
 * The fields of a new row of table `N`, as `create` takes them: any of its columns but those
 * the core sets (`order()`, `createdAt()`), each of its row type, so that a column the table
 * does not have (`{ prioritty: 1 }`) is a type error. Which are required (a required `text()`,
 * the `parent()`) is checked at run time, with a message. Over a union of tables, the fields
 * of any one of them (generic code that names its columns at run time).
 */
export type CreateFieldsOf<S extends AppSchema, N extends keyof S['declared']> = N extends keyof S['declared']
  ? { readonly [C in ColumnsBut<S, N, 'order' | 'createdAt'>]?: RowOf<S, N>[C] }
  : never;

/** The fields `update` takes: as for `create`, but never the `parent()`, which is set once. */
export type UpdateFieldsOf<S extends AppSchema, N extends keyof S['declared']> = N extends keyof S['declared']
  ? { readonly [C in ColumnsBut<S, N, 'order' | 'createdAt' | 'parent'>]?: RowOf<S, N>[C] }
  : never;

export function defineAppSchema<const T extends Readonly<Record<string, AppTableInput>>>(input: { readonly version: number; readonly tables: T }): TypedAppSchema<T> {
  checkDeclaration(input.tables);
  const sync = defineSchema({
    version: input.version,
    tables: {
      ...Object.fromEntries(Object.entries(input.tables).map(([name, t]) => [name, Object.fromEntries(Object.entries(t.columns).map(([c, col]) => [c, col.spec]))])),
      [DEVICES_TABLE]: { name: { type: 'string', maxLength: DEVICE_NAME_MAX } },
    },
  });
  const described = new Map(Object.entries(input.tables).map(([name, t]) => [name, describeTable(name, t, input.tables)]));
  const above = new Map([...described.keys()].map((name) => [name, ancestorsOf(name, described)]));
  const tables = new Map<string, AppTable>();
  for (const [name, t] of described) {
    const descendants = [...described.keys()].filter((other) => above.get(other)?.includes(name));
    tables.set(name, { ...t, ancestors: above.get(name) as string[], descendants });
  }
  return { version: input.version, declared: input.tables, tableNames: Object.keys(input.tables) as (keyof T & string)[], sync, table: (name) => (Object.hasOwn(input.tables, name) ? tables.get(name) : undefined) };
}

/** Names of tables and columns: what SQLite and the sync schema take, said in words. */
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
const NAME_RULE = 'letters, digits and _, starting with a letter, at most 63 characters';
/** Table names the SQLite store keeps for itself (in any case: SQLite's names ignore it). */
export const RESERVED_TABLE_PREFIXES = ['fieldsync_', 'sqlite_'] as const;
const KINDS: readonly string[] = ['text', 'flag', 'parent', 'order', 'createdAt', 'field'];

const suggestName = (name: string): string => {
  const fixed = name.trim().replace(/[^A-Za-z0-9_]+/g, '_').replace(/^[^A-Za-z]+/, '');
  return NAME.test(fixed) ? ` (such as "${fixed}")` : '';
};

/**
 * The mistakes a declaration can make that TypeScript does not always catch (a name is any
 * string to it; a `.js` file or a cast skips it), each refused here with one message that
 * says what to write, before the sync schema or the store see it.
 */
function checkDeclaration(tables: Readonly<Record<string, AppTableInput>>): void {
  for (const [name, t] of Object.entries(tables)) {
    if (!NAME.test(name)) throw new SchemaError(`app schema: the table name "${name}" must be ${NAME_RULE}${suggestName(name)}`);
    if (name === DEVICES_TABLE) throw new SchemaError(`app schema: the table name "${DEVICES_TABLE}" is reserved for device names`);
    const prefix = RESERVED_TABLE_PREFIXES.find((p) => name.toLowerCase().startsWith(p));
    if (prefix) throw new SchemaError(`app schema: the table name "${name}" is reserved: names starting with ${RESERVED_TABLE_PREFIXES.join(' or ')} (in any case) belong to the SQLite store`);
    if (typeof t !== 'object' || t === null || typeof t.columns !== 'object' || t.columns === null) throw new SchemaError(`app schema, table ${name}: it needs noun, titleColumn and columns`);
    for (const [column, c] of Object.entries(t.columns as Record<string, unknown>)) {
      if (!NAME.test(column)) throw new SchemaError(`app schema, table ${name}: the column name "${column}" must be ${NAME_RULE}${suggestName(column)}`);
      const kind = typeof c === 'object' && c !== null ? (c as { kind?: unknown }).kind : undefined;
      if (typeof kind === 'string' && KINDS.includes(kind)) {
        if (kind === 'text') checkText(name, column, c as TextColumn);
        if (kind === 'field') checkNumberRule(name, column, c as FieldColumn);
        continue;
      }
      // A sync-schema spec where a column belongs: `due: 'string'` or `due: { type: 'string' }`.
      const spec = typeof c === 'string' || (typeof c === 'object' && c !== null && 'type' in c) ? JSON.stringify(c).replace(/"(\w+)":/g, '$1: ').replace(/"/g, "'").replace(/,/g, ', ') : null;
      const hint = spec ? `write ${column}: field(${spec}) for a plain column, or ${column}: text({ label, max }) for user text` : 'use text(), flag(), parent(), order(), createdAt() or field() from app-schema-kit.ts';
      throw new SchemaError(`app schema, table ${name}: the column ${column} is ${spec ?? JSON.stringify(c) ?? String(c)}, not a column: ${hint}`);
    }
  }
}

function checkText(table: string, column: string, c: TextColumn): void {
  const bad = (why: string): never => {
    throw new SchemaError(`app schema, table ${table}: the text column ${column} ${why}: text({ label: 'Due', max: 100 })`);
  };
  if (typeof c.label !== 'string' || c.label.trim() === '') bad('needs a label, which names it in messages');
  if (!Number.isSafeInteger(c.max) || c.max < 1) bad('needs a max, the most characters it takes (a whole number, 1 or more)');
}

function checkNumberRule(table: string, column: string, c: FieldColumn): void {
  const rule = c.rule;
  if (rule === undefined) return;
  const bad = (why: string): never => {
    throw new SchemaError(`app schema, table ${table}: the field ${column} ${why}: field('integer', { label: 'Weekly target', min: 1, max: 7 })`);
  };
  const type = specType(c.spec);
  if (type !== 'integer' && type !== 'number') bad(`is ${type}: a label, min and max go only with an integer or number column`);
  if (typeof rule.label !== 'string' || rule.label.trim() === '') bad('needs a label, which names it in messages');
  for (const bound of [rule.min, rule.max]) if (bound !== undefined && !Number.isFinite(bound)) bad('has a min or max that is no finite number');
  if (rule.min !== undefined && rule.max !== undefined && rule.min > rule.max) bad(`has bounds that cross (its min ${rule.min} is above its max ${rule.max})`);
}

type Described = Omit<AppTable, 'ancestors' | 'descendants'>;

function describeTable(name: string, t: AppTableInput, all: Readonly<Record<string, AppTableInput>>): Described {
  const bad = (why: string): never => {
    throw new SchemaError(`app schema, table ${name}: ${why}`);
  };
  if (typeof t.noun !== 'string' || t.noun.trim() === '') bad('noun must be a word such as "todo"');
  const columns = new Map(Object.entries(t.columns));
  const title = columns.get(t.titleColumn);
  if (!title || title.kind !== 'text') bad(`titleColumn "${t.titleColumn}" must be one of its text columns`);
  const find = (kind: 'parent' | 'order' | 'createdAt'): string | null => {
    const found = [...columns].filter(([, c]) => c.kind === kind).map(([c]) => c);
    if (found.length > 1) bad(`at most one ${kind}() column`);
    return found[0] ?? null;
  };
  const parentColumn = find('parent');
  const parentTable = parentColumn === null ? null : (columns.get(parentColumn) as ParentColumn).table;
  if (parentTable !== null && !Object.hasOwn(all, parentTable)) bad(`parent("${parentTable}") names no table`);
  return {
    name,
    noun: t.noun,
    plural: t.plural ?? `${t.noun}s`,
    titleColumn: t.titleColumn,
    columns,
    parent: parentColumn === null ? null : { column: parentColumn, table: parentTable as string },
    orderColumn: find('order'),
    createdAtColumn: find('createdAt'),
    required: [...columns].filter(([, c]) => (c.kind === 'text' && !c.optional) || c.kind === 'parent').map(([c]) => c),
  };
}

/** The tables above `name`, nearest first; refuses a cycle. */
function ancestorsOf(name: string, tables: ReadonlyMap<string, Described>): string[] {
  const out: string[] = [];
  for (let p = tables.get(name)?.parent ?? null; p !== null; p = tables.get(p.table)?.parent ?? null) {
    if (p.table === name || out.includes(p.table)) throw new SchemaError(`app schema, table ${name}: its parents form a cycle`);
    out.push(p.table);
  }
  return out;
}

/** Columns the core keeps (order, creation time, the parent): the inspector folds them away. */
export function isInternalColumn(table: AppTable | undefined, column: string): boolean {
  const kind = table?.columns.get(column)?.kind;
  return kind === 'order' || kind === 'createdAt' || kind === 'parent';
}

/** The value a column reads as when a row has none yet (a field that has not synced). */
export function emptyValue(column: AppColumn): JsonValue {
  switch (column.kind) {
    case 'text':
    case 'order':
      return '';
    case 'flag':
      return false;
    case 'createdAt':
      return 0;
    default:
      return null;
  }
}
