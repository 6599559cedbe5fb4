import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { editableText, quoted } from '../lib/display-text.ts';
import type { TextResult } from '../store/app-state.ts';
import { TextInput, type Check } from './TextInput.tsx';
import { MessageText } from './UserText.tsx';

interface Props {
  /** The text as stored. The field starts from `editableText(initial)`: see lib/display-text.ts. */
  readonly initial: string;
  readonly label: string;
  readonly check: Check;
  readonly save: (text: string) => Promise<TextResult>;
  /** Editing ends: saved, unchanged or cancelled. */
  readonly onDone: () => void;
  /**
   * The field went away with an edit neither saved nor cancelled: its row was deleted (here,
   * on another device). Gets what was typed, so that it can be offered back.
   */
  readonly onAbandon?: (text: string) => void;
}

/** Renaming in place: Enter or leaving the field saves, Escape cancels. */
export function InlineEdit({ initial: stored, label, check, save, onDone, onAbandon }: Props) {
  // A synced title may hold characters the input rules refuse: the field starts without them,
  // so saving writes what the user sees, and leaving it unchanged writes nothing.
  const [initial] = useState(() => editableText(stored).trim());
  const [storedAtStart] = useState(stored);
  const [text, setText] = useState(initial);
  const [message, setMessage] = useState<string | null>(null);
  // A save under way, or done and about to close the field: the row's new title from here on
  // is this save's own write, not another device's (round 60: the note said so of it).
  const [sent, setSent] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  // Enter saves and Escape cancels, then the field unmounts, which may blur it: a blur
  // after either must not save (again).
  const saving = useRef(false);
  const closed = useRef(false);
  const finish = () => {
    closed.current = true;
    onDone();
  };

  // What an unmount would lose: the text and the callback as last rendered.
  const latest = useRef({ text, onAbandon });
  useLayoutEffect(() => {
    latest.current = { text, onAbandon };
  });

  useEffect(() => {
    input.current?.focus();
    input.current?.select();
    return () => {
      // Removed without Enter, Escape or a blur: the row is gone. A change is not dropped silently.
      const { text: typed, onAbandon: abandoned } = latest.current;
      if (!closed.current && !saving.current && typed.trim() !== initial) abandoned?.(typed);
    };
  }, [initial]);

  const commit = async () => {
    if (saving.current || closed.current) return;
    if (text.trim() === initial) return finish();
    saving.current = true;
    setSent(true);
    const result = await save(text);
    saving.current = false;
    if (result.ok) finish();
    else {
      setSent(false);
      setMessage(result.message);
    }
  };

  return (
    <div className="inline-edit">
      <TextInput
        ref={input}
        aria-label={label}
        data-testid="rename-input"
        value={text}
        onValueChange={setText}
        check={check}
        message={message}
        onMessage={setMessage}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            void commit();
          } else if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            finish();
          }
        }}
        onBlur={() => void commit()}
      />
      {stored !== storedAtStart && !sent && (
        // Another device renamed it meanwhile: saving would replace that, so say so first.
        <p className="inline-edit-note" role="status" data-testid="changed-while-editing">
          <MessageText message={quoted`Now “${stored}” on another device. Enter saves yours; Escape keeps that.`} />
        </p>
      )}
    </div>
  );
}
