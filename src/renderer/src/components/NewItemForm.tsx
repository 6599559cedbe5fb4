import { useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import { useDelayedFlag } from '../hooks/use-delayed-flag.ts';
import { useSubmitQueue } from '../hooks/use-submit-queue.ts';
import type { TextResult } from '../store/app-state.ts';
import { Icon } from './Icon.tsx';
import { TextInput, type Check } from './TextInput.tsx';
import { UnsentEntries } from './UnsentEntries.tsx';

interface Props {
  readonly label: string;
  readonly placeholder: string;
  readonly check: Check;
  readonly submit: (text: string) => Promise<TextResult>;
  readonly testId: string;
  readonly className?: string;
  /**
   * The text the input starts with (the todo pane carries its draft over when its list is
   * deleted elsewhere), and where every change of it is reported. The draft itself lives
   * here: in the pane's state each keystroke would re-render the pane and its whole list.
   */
  readonly initialDraft?: () => string;
  readonly onDraftChange?: (text: string) => void;
}

/** Long enough that a normal save never shows as busy, short enough to show a stalled one. */
const BUSY_AFTER_MS = 400;

/**
 * "Add a list" / "Add a todo": Enter or the button adds. The input is free again at once: the
 * text is checked, taken and queued, so typing on never loses a key, and an Enter pressed
 * while the previous entry is being saved is queued behind it. Text that fails to save comes
 * back: into the input when it is empty, otherwise listed under it with Try again.
 */
export function NewItemForm({ label, placeholder, check, submit, testId, className, initialDraft, onDraftChange }: Props) {
  const [text, setText] = useState(() => initialDraft?.() ?? '');
  // The text as last rendered, for a failure that comes back later (see useSubmitQueue).
  const current = useRef(text);
  useLayoutEffect(() => {
    current.current = text;
  });
  useLayoutEffect(() => onDraftChange?.(text), [onDraftChange, text]);
  const [message, setMessage] = useState<string | null>(null);
  const [unsent, setUnsent] = useState<readonly string[]>([]);
  const [unsentMessage, setUnsentMessage] = useState<string | null>(null);
  const queue = useSubmitQueue((texts, why) => {
    if (texts.length === 1 && current.current === '' && unsent.length === 0) {
      setText(texts[0] as string);
      setMessage(why);
      return;
    }
    setUnsent((list) => [...list, ...texts]);
    setUnsentMessage(why);
  });
  const busy = useDelayedFlag(queue.waiting > 0, BUSY_AFTER_MS);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const checked = check(text);
    if (!checked.ok) {
      setMessage(checked.message);
      return;
    }
    // Only the text submitted is taken: what is typed from now on belongs to the next entry.
    setText('');
    queue.add(text, submit);
  };

  return (
    <form className={`new-item ${className ?? ''}`} onSubmit={onSubmit} noValidate aria-busy={busy}>
      <div className="new-item-row">
        <TextInput aria-label={label} placeholder={placeholder} data-testid={testId} value={text} onValueChange={setText} check={check} message={message} onMessage={setMessage} />
        <button type="submit" className={`button button-primary${busy ? ' is-busy' : ''}`} aria-label={label} title={busy ? 'Saving…' : label}>
          <Icon name={busy ? 'sync' : 'plus'} className={busy ? 'spin' : undefined} />
        </button>
      </div>
      {unsent.length > 0 && (
        <UnsentEntries
          texts={unsent}
          message={unsentMessage}
          onRetry={(i) => {
            queue.add(unsent[i] as string, submit);
            setUnsent((list) => list.filter((_, j) => j !== i));
          }}
          onDismiss={(i) => setUnsent((list) => list.filter((_, j) => j !== i))}
        />
      )}
    </form>
  );
}
