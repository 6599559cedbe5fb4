import { useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import { useDelayedFlag } from '../hooks/use-delayed-flag.ts';
import { useSubmitQueue } from '../hooks/use-submit-queue.ts';
import type { TextResult } from '../store/app-state.ts';
import { Icon } from './Icon.tsx';
import { blankMore, checkMore, NewItemMore, type MoreField, type MoreMessages, type MoreTyped, type MoreValues } from './NewItemMore.tsx';
import { TextInput, type Check } from './TextInput.tsx';
import { UnsentEntries } from './UnsentEntries.tsx';

interface Entry {
  readonly text: string;
  /** As typed, to bring back if the write fails. */
  readonly typed: MoreTyped;
  readonly values: MoreValues;
}

interface Props {
  readonly label: string;
  readonly placeholder: string;
  readonly check: Check;
  readonly submit: (text: string, more: MoreValues) => Promise<TextResult>;
  /**
   * The table's other required columns (RowNav, round 67): an input for each, checked with
   * the title before anything is written, so that a row is never written without them.
   */
  readonly more?: readonly MoreField[];
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
const NO_MORE: readonly MoreField[] = [];

export function NewItemForm({ label, placeholder, check, submit, testId, className, initialDraft, onDraftChange, more = NO_MORE }: Props) {
  const [text, setText] = useState(() => initialDraft?.() ?? '');
  // The text as last rendered, for a failure that comes back later (see useSubmitQueue).
  const current = useRef(text);
  useLayoutEffect(() => {
    current.current = text;
  });
  useLayoutEffect(() => onDraftChange?.(text), [onDraftChange, text]);
  const [message, setMessage] = useState<string | null>(null);
  const [moreTyped, setMoreTyped] = useState<MoreTyped>(() => blankMore(more));
  const [moreMessages, setMoreMessages] = useState<MoreMessages>({});
  const titleInput = useRef<HTMLInputElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const [unsent, setUnsent] = useState<readonly Entry[]>([]);
  const [unsentMessage, setUnsentMessage] = useState<string | null>(null);
  const queue = useSubmitQueue<Entry>((texts, why) => {
    const [only] = texts;
    if (texts.length === 1 && only !== undefined && current.current === '' && unsent.length === 0) {
      setText(only.text);
      setMoreTyped({ ...blankMore(more), ...only.typed });
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
    // Every required column is checked before anything is written: a row without one would be
    // refused by the core, or (a column the core does not check) stored half, hidden until set.
    const checkedMore = checkMore(more, moreTyped);
    if (!checkedMore.ok) {
      const { column, message: why } = checkedMore;
      setMoreMessages((m) => ({ ...m, [column]: why }));
      form.current?.querySelector<HTMLInputElement>(`input[data-column="${column}"]`)?.focus();
      return;
    }
    // Only the text submitted is taken: what is typed from now on belongs to the next entry.
    setText('');
    if (more.length > 0) {
      setMoreTyped(blankMore(more));
      // The next entry starts at its title, wherever Enter was pressed.
      titleInput.current?.focus();
    }
    queue.add({ text, typed: moreTyped, values: checkedMore.values }, submitEntry);
  };
  const submitEntry = (entry: Entry) => submit(entry.text, entry.values);

  return (
    <form ref={form} className={`new-item ${className ?? ''}`} onSubmit={onSubmit} noValidate aria-busy={busy}>
      <div className="new-item-row">
        <TextInput ref={titleInput} aria-label={label} placeholder={placeholder} data-testid={testId} value={text} onValueChange={setText} check={check} message={message} onMessage={setMessage} />
        <button type="submit" className={`button button-primary${busy ? ' is-busy' : ''}`} aria-label={label} title={busy ? 'Saving…' : label}>
          <Icon name={busy ? 'sync' : 'plus'} className={busy ? 'spin' : undefined} />
        </button>
      </div>
      <NewItemMore
        fields={more}
        typed={moreTyped}
        onTyped={(column, value) => setMoreTyped((v) => ({ ...v, [column]: value }))}
        messages={moreMessages}
        onMessage={(column, m) => setMoreMessages((all) => ({ ...all, [column]: m }))}
      />
      {unsent.length > 0 && (
        <UnsentEntries
          texts={unsent.map((e) => e.text)}
          message={unsentMessage}
          onRetry={(i) => {
            queue.add(unsent[i] as Entry, submitEntry);
            setUnsent((list) => list.filter((_, j) => j !== i));
          }}
          onDismiss={(i) => setUnsent((list) => list.filter((_, j) => j !== i))}
        />
      )}
    </form>
  );
}
