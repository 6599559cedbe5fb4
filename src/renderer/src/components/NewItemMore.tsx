/**
 * The inputs of a "New …" form for a row's required columns besides its title (RowNav; round
 * 67 for text, round 68 for numbers and flags): each with the input its kind needs, and the
 * check of them all before anything is written.
 * - text: a text input with the column's input rules;
 * - a number a user types (`field('integer', { label, min, max })`, not nullable): NumberInput,
 *   with the schema's bounds and whole-number rule, what was typed kept as typed;
 * - a flag: a checkbox, unchecked (false, what the core writes for a flag left out).
 */
import type { NumberInputSpec } from '../../../shared/field-checks.ts';
import { NumberInput } from './NumberField.tsx';
import { TextInput, type Check } from './TextInput.tsx';

/** A required column other than the title, asked for beside it: "Client", "Hours", "Billable". */
export type MoreField =
  | { readonly kind: 'text'; readonly column: string; readonly label: string; readonly check: Check }
  | { readonly kind: 'number'; readonly column: string; readonly spec: NumberInputSpec }
  | { readonly kind: 'flag'; readonly column: string; readonly label: string };

/** What the inputs hold, by column: text as typed (a number's too), a flag's checkbox. */
export type MoreTyped = Readonly<Record<string, string | boolean>>;
/** The values for the `create`, checked. */
export type MoreValues = Readonly<Record<string, string | number | boolean | null>>;
export type MoreMessages = Readonly<Record<string, string | null>>;

export const blankMore = (fields: readonly MoreField[]): MoreTyped => Object.fromEntries(fields.map((f) => [f.column, f.kind === 'flag' ? false : '']));

/** Every field checked, in order: the values, or the first refused column and why. */
export function checkMore(fields: readonly MoreField[], typed: MoreTyped): { ok: true; values: MoreValues } | { ok: false; column: string; message: string } {
  const values: Record<string, string | number | boolean | null> = {};
  for (const field of fields) {
    const raw = typed[field.column];
    if (field.kind === 'flag') {
      values[field.column] = raw === true;
      continue;
    }
    const text = typeof raw === 'string' ? raw : '';
    const one = field.kind === 'text' ? field.check(text) : field.spec.check(text);
    if (!one.ok) return { ok: false, column: field.column, message: one.message };
    values[field.column] = one.value;
  }
  return { ok: true, values };
}

interface Props {
  readonly fields: readonly MoreField[];
  readonly typed: MoreTyped;
  readonly onTyped: (column: string, value: string | boolean) => void;
  readonly messages: MoreMessages;
  readonly onMessage: (column: string, message: string | null) => void;
}

export function NewItemMore({ fields, typed, onTyped, messages, onMessage }: Props) {
  return fields.map((field) => {
    const value = typed[field.column];
    const message = messages[field.column] ?? null;
    if (field.kind === 'flag')
      return (
        <label key={field.column} className="new-item-flag">
          <input type="checkbox" data-column={field.column} checked={value === true} onChange={(e) => onTyped(field.column, e.target.checked)} />
          {field.label}
        </label>
      );
    const text = typeof value === 'string' ? value : '';
    if (field.kind === 'number')
      return <NumberInput key={field.column} data-column={field.column} spec={field.spec} hideLabel placeholder={field.spec.label} text={text} onTextChange={(t) => onTyped(field.column, t)} message={message} onMessage={(m) => onMessage(field.column, m)} />;
    return (
      <TextInput
        key={field.column}
        data-column={field.column}
        aria-label={field.label}
        placeholder={field.label}
        value={text}
        onValueChange={(t) => onTyped(field.column, t)}
        check={field.check}
        message={message}
        onMessage={(m) => onMessage(field.column, m)}
      />
    );
  });
}
