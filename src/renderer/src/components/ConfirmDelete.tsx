import { useEffect, useRef } from 'react';

interface Props {
  readonly question: string;
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
      aria-label={question}
      data-testid="confirm-delete"
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        e.stopPropagation();
        onCancel();
      }}
    >
      <span className="confirm-question">{question}</span>
      <button type="button" className="button button-danger button-small" onClick={onConfirm} data-testid="confirm-delete-yes">
        Delete
      </button>
      <button type="button" ref={cancel} className="button button-small" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
