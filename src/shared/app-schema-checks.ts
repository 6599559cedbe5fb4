/**
 * The checks of an app schema's declaration (app-schema-kit.ts's `defineAppSchema`), each
 * refusing a mistake with one message that says what to write.
 */
import { SchemaError } from 'fieldsync';
import { DEVICES_TABLE, specType, type FieldColumn, type TextColumn } from './app-columns.ts';
import type { AppTableInput } from './app-schema-kit.ts';

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
export function checkDeclaration(tables: Readonly<Record<string, AppTableInput>>): void {
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
