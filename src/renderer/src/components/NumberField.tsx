/**
 * Inputs for a number field of the app schema (`field('integer', { label, min, max })`), built
 * from `numberInput(appSchema, table, column)` (shared/field-checks.ts), so that the input says
 * what the core would refuse, in the label's words, next to it ("Quantity must be at least 0.",
 * announced with role="alert"), and never changes what was typed.
 *
 * - `NumberInput`: the input alone, controlled (a form that creates a row reads its text).
 * - `NumberField`: a stored value, edited in place: Enter or leaving the field saves it,
 *   Escape puts the stored value back; it follows the stored value while not being edited.
 *
 * A text input with `inputMode`, not `type="number"`: that one reads "abc" or "1,5" as empty
 * (nothing to say what is wrong), changes the value on a scroll of the wheel, and is read
 * differently by each screen reader.
 */
import { useId, useRef, useState, type ComponentProps } from 'react';
import type { NumberInputSpec } from '../../../shared/field-checks.ts';
import type { TextResult } from '../store/app-state.ts';

type InputProps = Omit<ComponentProps<'input'>, 'onChange' | 'value' | 'type' | 'defaultValue' | 'id'>;

interface NumberInputProps extends InputProps {
  readonly spec: NumberInputSpec;
  readonly text: string;
  readonly onTextChange: (text: string) => void;
  readonly message: string | null;
  readonly onMessage: (message: string | null) => void;
  /** The label stays the input's accessible name, only not shown (a table's column heading says it). */
  readonly hideLabel?: boolean;
}

export function NumberInput({ spec, text, onTextChange, message, onMessage, hideLabel = false, className, ...rest }: NumberInputProps) {
  const id = useId();
  const messageId = `${id}-message`;
  return (
    <div className="text-field number-field">
      <label htmlFor={id} className={hideLabel ? 'visually-hidden' : 'number-label'}>
        {spec.label}
      </label>
      <input
        {...rest}
        id={id}
        type="text"
        inputMode={spec.integer ? 'numeric' : 'decimal'}
        className={`text-input number-input ${className ?? ''}`}
        value={text}
        autoComplete="off"
        spellCheck={false}
        aria-invalid={message !== null}
        aria-describedby={message !== null ? messageId : undefined}
        onChange={(e) => {
          onTextChange(e.target.value);
          if (message !== null) onMessage(null);
        }}
      />
      {message !== null && (
        <p id={messageId} className="field-error" role="alert" data-testid="field-error">
          {message}
        </p>
      )}
    </div>
  );
}

/** How a stored number reads in its input. */
export const numberText = (value: number | null): string => (value === null ? '' : String(value));

interface NumberFieldProps extends InputProps {
  readonly spec: NumberInputSpec;
  /** The value as stored (null: none yet, or cleared). */
  readonly value: number | null;
  /** Writes the value (the store's `update`); a refusal's message is shown under the input. */
  readonly onSave: (value: number | null) => Promise<TextResult>;
  readonly hideLabel?: boolean;
}

export function NumberField({ spec, value, onSave, onKeyDown, onBlur, ...rest }: NumberFieldProps) {
  // What is being typed; null while not editing, when the field shows the stored value (and
  // so another device's write at once, but never over what the user is typing).
  const [draft, setDraft] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  // Enter saves, and the blur that may follow must not save again meanwhile.
  const saving = useRef(false);
  const text = draft ?? numberText(value);

  const commit = async () => {
    if (saving.current || draft === null) return;
    if (draft.trim() === numberText(value)) {
      setDraft(null);
      return;
    }
    const checked = spec.check(draft);
    if (!checked.ok) return setMessage(checked.message);
    saving.current = true;
    const saved = await onSave(checked.value).finally(() => {
      saving.current = false;
    });
    if (saved.ok) setDraft(null);
    else setMessage(saved.message);
  };

  return (
    <NumberInput
      {...rest}
      spec={spec}
      text={text}
      onTextChange={setDraft}
      message={message}
      onMessage={setMessage}
      onKeyDown={(e) => {
        onKeyDown?.(e);
        if (e.key === 'Enter') {
          e.preventDefault();
          void commit();
        } else if (e.key === 'Escape' && draft !== null) {
          e.preventDefault();
          e.stopPropagation();
          setDraft(null);
          setMessage(null);
        }
      }}
      onBlur={(e) => {
        onBlur?.(e);
        void commit();
      }}
    />
  );
}
