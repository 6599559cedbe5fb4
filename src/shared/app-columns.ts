/**
 * The column kinds of an app schema (app-schema-kit.ts), each a constructor that says what
 * the sync schema stores and what the app checks:
 * - `text`: user text, checked by the input rules (label, length, and the character rule of
 *   text-rule.ts: no control characters, no invisible direction controls); required unless
 *   `optional`. `multiline` allows line breaks and tabs (a note's body). The renderer shows
 *   text that arrived by sync breaking the rule neutralised (lib/display-text.ts).
 * - `flag`: a boolean, false until set; `flag({ label })` names it in a form.
 * - `parent('lists')`: the row this one belongs to. A row whose parent is deleted is hidden,
 *   and order is kept among the rows of one parent. Set at creation, never changed.
 * - `order()`: a fractional order key the core keeps (create appends, `move` reorders).
 * - `createdAt()`: set by the core when the row is created.
 * - `field(spec)`: any other column of the sync schema, checked against it only.
 *   `field('integer', { label, min, max })`: a number a user types, checked in the label's words.
 */
import { ROW_MAX_CHARS, type ColumnType, type JsonValue } from 'fieldsync';

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

export interface ColumnBase<K extends string, V> {
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
export interface FlagColumn extends ColumnBase<'flag', boolean> {
  /** How a form names it ("Billable"): RowNav's "New …" form shows a checkbox by it (round 68). */
  readonly label?: string;
}
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
export interface FieldColumn<V extends JsonValue = JsonValue, N extends boolean = boolean> extends ColumnBase<'field', V> {
  /** Only on a number column (`integer` or `number`) given a label. */
  readonly rule?: NumberRule;
  /**
   * Type only: whether the spec lets the column hold null. Where it does not, `create` and
   * `update` take no null for it (app-schema-types.ts), even when `V` includes null (a row
   * reads null there until the field is set): the store would refuse it when the call runs.
   */
  readonly __nullable?: N;
}

export type AppColumn = TextColumn | FlagColumn | ParentColumn | OrderColumn | CreatedAtColumn | FieldColumn;

export function text(options: { label: string; max: number; optional?: boolean; multiline?: boolean }): TextColumn {
  return { kind: 'text', spec: { type: 'string', maxLength: options.max }, label: options.label, max: options.max, optional: options.optional ?? false, multiline: options.multiline ?? false };
}
export const flag = (options?: { label?: string }): FlagColumn => (options?.label === undefined ? { kind: 'flag', spec: 'boolean' } : { kind: 'flag', spec: 'boolean', label: options.label });
export const parent = (table: string): ParentColumn => ({ kind: 'parent', spec: { type: 'string', maxLength: ROW_MAX_CHARS }, table });
export const order = (): OrderColumn => ({ kind: 'order', spec: { type: 'string', maxLength: ORDER_MAX } });
export const createdAt = (): CreatedAtColumn => ({ kind: 'createdAt', spec: 'integer' });
/** A spec that lets its column hold null. */
export type NullableSpec = { readonly type: ColumnType; readonly nullable: true; readonly maxLength?: number };
/** A spec that does not. */
export type NonNullableSpec = ColumnType | { readonly type: ColumnType; readonly nullable?: false; readonly maxLength?: number };
export function field<V extends JsonValue = JsonValue>(spec: NullableSpec, rule?: NumberRule): FieldColumn<V, true>;
export function field<V extends JsonValue = JsonValue>(spec: NonNullableSpec, rule?: NumberRule): FieldColumn<V, false>;
/** A spec known only as a `ColumnSpec` (built at run time): writes may be null, as the spec may allow. */
export function field<V extends JsonValue = JsonValue>(spec: ColumnSpec, rule?: NumberRule): FieldColumn<V>;
export function field<V extends JsonValue = JsonValue>(spec: ColumnSpec, rule?: NumberRule): FieldColumn<V> {
  return rule === undefined ? { kind: 'field', spec } : { kind: 'field', spec, rule };
}
/** The sync type of a column spec. */
export const specType = (spec: ColumnSpec): ColumnType => (typeof spec === 'string' ? spec : spec.type);

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
