import { displayParts, type DisplayOptions, type Message } from '../lib/display-text.ts';

interface Props extends DisplayOptions {
  /** What a user or another device wrote: a title, a name, a value. */
  readonly value: unknown;
  readonly className?: string;
}

/**
 * User text, shown safely (lib/display-text.ts): in a `<bdi>`, so that right-to-left text
 * never reorders the words around it, with each character the input rules refuse shown as a
 * visible escape. Its text content is `displayText(value)`.
 */
export function UserText({ value, multiline, className }: Props) {
  return (
    <bdi className={className}>
      {displayParts(value, { multiline }).map((part, i) =>
        part.hidden ? (
          <span key={i} className="hidden-char" title={part.hidden.title} data-testid="hidden-char" data-code-point={part.hidden.codePoint.toString(16)}>
            {part.text}
          </span>
        ) : (
          part.text
        ),
      )}
    </bdi>
  );
}

/** A message that may quote user text: each quote is a `UserText`. */
export function MessageText({ message }: { readonly message: Message }) {
  if (typeof message === 'string') return <>{message}</>;
  return <>{message.map((part, i) => (typeof part === 'string' ? part : <UserText key={i} value={part.quote} />))}</>;
}
