import { useEffect, useRef } from 'react';
import { messageText, type Message } from '../lib/display-text.ts';
import { MessageText } from './UserText.tsx';

interface Props {
  /** It may quote a title: shown neutralised and isolated. */
  readonly question: Message;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
}

/** An in-place "Delete? [Delete] [Cancel]": one mis-click never deletes a whole list. */
export function ConfirmDelete({ question, onConfirm, onCancel }: Props) {
  const cancel = useRef<HTMLButtonElement>(null);
  // The safe choice takes the focus, so a stray Enter cancels rather than deletes.
  useEffect(() => cancel.current?.focus(), []);
  return (
    <div
      className="confirm"
      role="group"
      aria-label={messageText(question)}
      data-testid="confirm-delete"
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        e.stopPropagation();
        onCancel();
      }}
    >
      <span className="confirm-question">
        <MessageText message={question} />
      </span>
      <button type="button" className="button button-danger button-small" onClick={onConfirm} data-testid="confirm-delete-yes">
        Delete
      </button>
      <button type="button" ref={cancel} className="button button-small" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
