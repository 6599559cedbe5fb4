import { quoted } from '../lib/display-text.ts';
import { MessageText } from './UserText.tsx';

interface Props {
  /** Entries that were typed and submitted, and could not be saved. */
  readonly texts: readonly string[];
  /** Why, when the text itself was the problem; otherwise a toast has said why. */
  readonly message: string | null;
  readonly onRetry: (index: number) => void;
  readonly onDismiss: (index: number) => void;
}

/** "Not added: “Item 3” [Try again] [Dismiss]", under a new-item input: nothing typed is lost. */
export function UnsentEntries({ texts, message, onRetry, onDismiss }: Props) {
  return (
    <div className="unsent" role="alert" data-testid="unsent">
      {message !== null && <p className="field-error">{message}</p>}
      <ul>
        {texts.map((text, i) => (
          // The same text may be there twice: its place is its identity.
          <li key={i}>
            <span className="unsent-text">
              <MessageText message={quoted`Not added: “${text}”`} />
            </span>
            <button type="button" className="button button-small" onClick={() => onRetry(i)}>
              Try again
            </button>
            <button type="button" className="button button-small" onClick={() => onDismiss(i)}>
              Dismiss
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
