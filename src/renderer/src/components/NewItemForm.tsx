import { useState, type FormEvent } from 'react';
import type { TextResult } from '../store/app-state.ts';
import { Icon } from './Icon.tsx';
import { TextInput, type Check } from './TextInput.tsx';

interface Props {
  readonly label: string;
  readonly placeholder: string;
  readonly check: Check;
  readonly submit: (text: string) => Promise<TextResult>;
  readonly testId: string;
  readonly className?: string;
}

/** "Add a list" / "Add a todo": Enter or the button adds; the text stays if adding fails. */
export function NewItemForm({ label, placeholder, check, submit, testId, className }: Props) {
  const [text, setText] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    const result = await submit(text);
    setBusy(false);
    if (result.ok) setText('');
    else setMessage(result.message);
  };

  return (
    <form className={`new-item ${className ?? ''}`} onSubmit={onSubmit} noValidate>
      <div className="new-item-row">
        <TextInput
          aria-label={label}
          placeholder={placeholder}
          data-testid={testId}
          value={text}
          onValueChange={setText}
          check={check}
          message={message}
          onMessage={setMessage}
        />
        <button type="submit" className="button button-primary" aria-label={label} title={label}>
          <Icon name="plus" />
        </button>
      </div>
    </form>
  );
}
