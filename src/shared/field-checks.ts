/**
 * Checks the fields of a new row or of an update against the app schema, with messages for
 * the user. The core runs it on every call (the renderer is not trusted); the renderer runs
 * the same rules to answer at once, next to the input.
 */
import { ROW_MAX_CHARS, type JsonValue } from 'fieldsync';
import { specType, type AppSchema, type AppTable, type FieldColumn, type TextColumn } from './app-schema-kit.ts';
import { checkText, type TextCheck } from './input-rules.ts';

export type FieldsCheck = { ok: true; fields: Record<string, JsonValue> } | { ok: false; message: string };

const named = (key: string): string => `"${key.slice(0, 40)}"`;

function checkOne(schema: AppSchema, table: AppTable, key: string, value: unknown, mode: 'create' | 'update'): { ok: true; value: JsonValue } | { ok: false; message: string } {
  const column = table.columns.get(key);
  const fail = (message: string) => ({ ok: false as const, message });
  if (!column) return fail(`A ${table.noun} has no field ${named(key)}.`);
  switch (column.kind) {
    case 'text':
      return checkText(value, column);
    case 'flag':
      return typeof value === 'boolean' ? { ok: true, value } : fail(`${named(key)} must be true or false.`);
    case 'parent': {
      if (mode === 'update') return fail(`The ${key} of a ${table.noun} can't be changed.`);
      const ok = typeof value === 'string' && value.length > 0 && value.length <= ROW_MAX_CHARS;
      return ok ? { ok: true, value } : fail(`${named(key)} must be the id of a ${schema.table(column.table)?.noun ?? column.table}.`);
    }
    case 'order':
    case 'createdAt':
      return fail(`The app sets the ${key} of a ${table.noun} itself.`);
    case 'field':
      if (column.rule !== undefined) return checkNumber(value, column);
      // The sync client checks it against the sync schema when it writes, before anything
      // is stored, and says what is wrong (`cards.estimate must be an integer`).
      return { ok: true, value: value as JsonValue };
  }
}

export type NumberResult = { ok: true; value: number | null } | { ok: false; message: string };

/** A number field's rule (`field('integer', { label, min, max })`), in the label's words. */
function checkNumber(value: unknown, column: FieldColumn): NumberResult {
  const { label, min, max } = column.rule as NonNullable<FieldColumn['rule']>;
  const fail = (message: string) => ({ ok: false as const, message });
  if (value === null) {
    // Null clears it, where the sync schema lets it be null: as the store would refuse it.
    const nullable = typeof column.spec === 'object' && column.spec.nullable === true;
    return nullable ? { ok: true, value: null } : fail(`${label} can't be empty.`);
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return fail(`${label} must be a number.`);
  if (specType(column.spec) === 'integer' && !Number.isInteger(value)) return fail(`${label} must be a whole number.`);
  if (min !== undefined && value < min) return fail(`${label} must be at least ${min}.`);
  if (max !== undefined && value > max) return fail(`${label} must be at most ${max}.`);
  return { ok: true, value };
}

export function checkFields(schema: AppSchema, table: AppTable, fields: Readonly<Record<string, unknown>>, mode: 'create' | 'update'): FieldsCheck {
  const out: Record<string, JsonValue> = {};
  const keys = Object.keys(fields);
  if (mode === 'update' && keys.length === 0) return { ok: false, message: 'An update needs at least one field.' };
  for (const key of keys) {
    const checked = checkOne(schema, table, key, fields[key], mode);
    if (!checked.ok) return checked;
    out[key] = checked.value;
  }
  if (mode === 'create') {
    for (const [key, column] of table.columns) {
      if (Object.hasOwn(out, key)) continue;
      if (column.kind === 'flag') out[key] = false;
      else if (column.kind === 'text' && !column.optional) return { ok: false, message: `${column.label} can't be empty.` };
      else if (column.kind === 'parent') return { ok: false, message: `A ${table.noun} needs its ${schema.table(column.table)?.noun ?? column.table} (${named(key)}).` };
      // A number a user types whose spec forbids null (round 68): left out, it was stored as
      // null, a half row that the spec refuses and no input shows as wrong.
      else if (column.kind === 'field' && column.rule !== undefined) {
        const missing = checkNumber(null, column);
        if (!missing.ok) return missing;
      }
    }
  }
  return { ok: true, fields: out };
}

/** The input rule of a text column, for an input that edits it. */
export function textCheck(schema: AppSchema, table: string, column: string): (input: unknown) => TextCheck {
  const def = schema.table(table)?.columns.get(column);
  if (def?.kind !== 'text') throw new Error(`${table}.${column} is not a text column of the app schema`);
  const rule: TextColumn = def;
  return (input) => checkText(input, rule);
}

/**
 * The rule of a number field, for an input that edits it: from what was typed (a blank
 * input is null, which the core takes only where the column is nullable).
 */
export function numberCheck(schema: AppSchema, table: string, column: string): (typed: string) => NumberResult {
  const def = schema.table(table)?.columns.get(column);
  if (def?.kind !== 'field' || def.rule === undefined) throw new Error(`${table}.${column} is not a number field with a label of the app schema`);
  const rule: FieldColumn = def;
  return (typed) => {
    const bare = typed.trim();
    if (bare === '') return checkNumber(null, rule);
    if (DECIMAL.test(bare)) return checkNumber(Number(bare), rule);
    const { label } = rule.rule as NonNullable<FieldColumn['rule']>;
    // A decimal comma is not guessed at: "1,500" is 1500 in one language and 1.5 in another.
    if (bare.includes(',')) return { ok: false, message: `${label} must be a number, with a point before a fraction (1.5).` };
    return { ok: false, message: `${label} must be a number.` };
  };
}

/**
 * What a person typing a quantity means by a number: a sign, decimal digits, a point and a
 * fraction ("5." and ".5" too, as typing passes through them). Not `Number()`'s grammar, which
 * takes "0x10", "1e3", "0b1" and "Infinity". Spaces around it are trimmed: they can't be seen.
 */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** What an input for a number field needs (the renderer's `NumberField`): its words, its kind and its rule. */
export interface NumberInputSpec {
  /** The column's label, which its messages use too: "Quantity must be at least 0." */
  readonly label: string;
  /** An `integer` column: a keyboard of digits, and no fraction taken. */
  readonly integer: boolean;
  /** Whether the column may be cleared (a blank input is null). */
  readonly nullable: boolean;
  readonly check: (typed: string) => NumberResult;
}

/** The input of a number field (`field(spec, { label, min, max })`) of the app schema. */
export function numberInput(schema: AppSchema, table: string, column: string): NumberInputSpec {
  const check = numberCheck(schema, table, column);
  const def = schema.table(table)?.columns.get(column) as FieldColumn;
  return {
    label: (def.rule as NonNullable<FieldColumn['rule']>).label,
    integer: specType(def.spec) === 'integer',
    nullable: typeof def.spec === 'object' && def.spec.nullable === true,
    check,
  };
}
