/**
 * A number a user types (a habit's weekly target, a quantity) has bounds and a name in
 * messages, as text does: `field('integer', { label, min, max })`. The core refuses a value
 * out of range, or of another kind, with a message for the input, and writes nothing; found
 * by forking the app into a habit tracker (docs/fork.md), where `field<number | null>('integer')`
 * took -4 and answered 2.5 with "habits.weeklyTarget must be an integer".
 */
import { describe, expect, it } from 'vitest';
import { SchemaError } from 'fieldsync';
import { defineAppSchema, field, order, text } from '../app-schema-kit.ts';
import { checkFields, numberCheck } from '../field-checks.ts';

const schema = defineAppSchema({
  version: 1,
  tables: {
    habits: {
      noun: 'habit',
      titleColumn: 'name',
      columns: {
        name: text({ label: 'Habit name', max: 100 }),
        weeklyTarget: field<number | null>({ type: 'integer', nullable: true }, { label: 'Weekly target', min: 1, max: 7 }),
        minutes: field<number | null>('number', { label: 'Minutes', min: 0 }),
        order: order(),
      },
    },
  },
});
const habits = schema.table('habits')!;

describe('a number field with a label and bounds', () => {
  it('takes a value in range, and null where the spec is nullable', () => {
    expect(checkFields(schema, habits, { name: 'Run', weeklyTarget: 3, minutes: 20 }, 'create')).toEqual({ ok: true, fields: { name: 'Run', weeklyTarget: 3, minutes: 20 } });
    // Left out of a create, a nullable one reads null; one whose spec is not nullable is
    // refused (round 68: it was stored as null, a half row the spec forbids).
    expect(checkFields(schema, habits, { name: 'Run', minutes: 20 }, 'create')).toEqual({ ok: true, fields: { name: 'Run', minutes: 20 } });
    expect(checkFields(schema, habits, { name: 'Run', weeklyTarget: 3 }, 'create')).toEqual({ ok: false, message: "Minutes can't be empty." });
    expect(checkFields(schema, habits, { weeklyTarget: 1, minutes: 0.5 }, 'update')).toMatchObject({ ok: true });
    expect(checkFields(schema, habits, { weeklyTarget: 7 }, 'update')).toMatchObject({ ok: true });
    expect(checkFields(schema, habits, { weeklyTarget: null }, 'update')).toMatchObject({ ok: true });
  });

  it('refuses a value out of range, a fraction in an integer, or no number, in the label’s words', () => {
    expect(checkFields(schema, habits, { weeklyTarget: 0 }, 'update')).toEqual({ ok: false, message: 'Weekly target must be at least 1.' });
    expect(checkFields(schema, habits, { weeklyTarget: 8 }, 'update')).toEqual({ ok: false, message: 'Weekly target must be at most 7.' });
    expect(checkFields(schema, habits, { weeklyTarget: 2.5 }, 'update')).toEqual({ ok: false, message: 'Weekly target must be a whole number.' });
    expect(checkFields(schema, habits, { weeklyTarget: '3' }, 'update')).toEqual({ ok: false, message: 'Weekly target must be a number.' });
    expect(checkFields(schema, habits, { minutes: -1 }, 'update')).toEqual({ ok: false, message: 'Minutes must be at least 0.' });
    expect(checkFields(schema, habits, { minutes: null }, 'update')).toEqual({ ok: false, message: "Minutes can't be empty." });
    expect(checkFields(schema, habits, { minutes: Number.POSITIVE_INFINITY }, 'update')).toEqual({ ok: false, message: 'Minutes must be a number.' });
  });

  it('gives the renderer the same rule, from what was typed', () => {
    const check = numberCheck(schema, 'habits', 'weeklyTarget');
    expect(check('3')).toEqual({ ok: true, value: 3 });
    expect(check(' ')).toEqual({ ok: true, value: null });
    expect(check('9')).toEqual({ ok: false, message: 'Weekly target must be at most 7.' });
    expect(check('two')).toEqual({ ok: false, message: 'Weekly target must be a number.' });
    expect(() => numberCheck(schema, 'habits', 'name')).toThrow(/not a number field/);
  });

  it('reads what was typed as decimal digits only: a sign, digits, a point and a fraction', () => {
    // Number() took "0x10" as 16, "1e3" as 1000, "0b1" as 1 and "Infinity"; a person typing a
    // quantity means none of those. A decimal comma is refused with a hint, not guessed at:
    // "1,500" is a thousand and a half in one language and one and a half in another.
    const minutes = numberCheck(schema, 'habits', 'minutes');
    for (const typed of ['12', '+12', '0.5', '1.25', '.5', '5.', ' 12 ']) {
      expect(minutes(typed), typed).toEqual({ ok: true, value: Number(typed) });
    }
    for (const typed of ['0x10', '1e3', '0b1', '0o7', 'Infinity', '1_000', '1 000', '--1', '1.2.3', '.', '+', '١٢']) {
      expect(minutes(typed), typed).toEqual({ ok: false, message: 'Minutes must be a number.' });
    }
    expect(minutes('-0.5')).toEqual({ ok: false, message: 'Minutes must be at least 0.' });
    expect(minutes('1,5')).toEqual({ ok: false, message: 'Minutes must be a number, with a point before a fraction (1.5).' });
    expect(numberCheck(schema, 'habits', 'weeklyTarget')('3.0')).toEqual({ ok: true, value: 3 });
  });

  it('refuses bounds on a column that holds no number, or bounds that cross, when the app starts', () => {
    const declare = (spec: 'string' | 'integer', options: { label: string; min?: number; max?: number }) =>
      defineAppSchema({ version: 1, tables: { t: { noun: 't', titleColumn: 'n', columns: { n: text({ label: 'N', max: 9 }), x: field(spec, options) } } } });
    expect(() => declare('string', { label: 'X', min: 1 })).toThrow(SchemaError);
    expect(() => declare('integer', { label: 'X', min: 5, max: 1 })).toThrow(/min 5 is above its max 1/);
    expect(() => declare('integer', { label: ' ', min: 1 })).toThrow(/needs a label/);
  });
});
