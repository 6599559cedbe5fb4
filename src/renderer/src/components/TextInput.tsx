/**
 * A single-line text input that shows the input rules' message beneath it (announced with
 * role="alert"). It never truncates: a too-long paste must say so, not be cut silently.
 */
import { useId, type ComponentProps } from 'react';
import { pasteProblem } from '../lib/paste-check.ts';

export type Check = (input: unknown) => { ok: true; value: string } | { ok: false; message: string };

interface Props extends Omit<ComponentProps<'input'>, 'onChange' | 'value' | 'type'> {
  readonly value: string;
  readonly onValueChange: (value: string) => void;
  readonly check: Check;
  readonly message: string | null;
  readonly onMessage: (message: string | null) => void;
}

export function TextInput({ value, onValueChange, check, message, onMessage, className, ...rest }: Props) {
  const messageId = useId();
  return (
    <div className="text-field">
      <input
        {...rest}
        type="text"
        className={`text-input ${className ?? ''}`}
        value={value}
        spellCheck
        autoComplete="off"
        aria-invalid={message !== null}
        aria-describedby={message !== null ? messageId : undefined}
        onChange={(e) => {
          onValueChange(e.target.value);
          if (message !== null) onMessage(null);
        }}
        onPaste={(e) => {
          const problem = pasteProblem(e.currentTarget, e.clipboardData.getData('text'), check);
          if (problem === null) return;
          e.preventDefault();
          onMessage(problem);
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
