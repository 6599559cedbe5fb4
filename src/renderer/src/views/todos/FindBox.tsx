import { forwardRef, type KeyboardEvent } from 'react';
import { Icon } from '../../components/Icon.tsx';
import { shortcutKeys } from '../../lib/shortcut-keys.ts';

interface Props {
  readonly query: string;
  readonly onQuery: (query: string) => void;
  /** How many todos the find shows, of how many the filter tab shows. */
  readonly found: number;
  readonly of: number;
  /** Enter or the Down arrow: to the first todo found, to act on it from the keyboard. */
  readonly onFirst: () => void;
}

/** The shortcut as this platform writes it. */
const SHORTCUT = shortcutKeys('F');

/**
 * "Find in this list": narrows the todos the filter tab shows to those whose title holds
 * every word typed (lib/find-text.ts). Ctrl+F (Cmd+F on macOS) comes here (TodoPane.tsx),
 * since the browser's own find sees only the rows the windowed list renders. Enter or the Down
 * arrow goes to the first todo found; Escape clears the find.
 */
export const FindBox = forwardRef<HTMLInputElement, Props>(function FindBox({ query, onQuery, found, of, onFirst }, ref) {
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if ((event.key === 'Enter' || event.key === 'ArrowDown') && found > 0) {
      event.preventDefault();
      onFirst();
      return;
    }
    if (event.key !== 'Escape' || query === '') return;
    event.preventDefault();
    event.stopPropagation();
    onQuery('');
  };
  return (
    <div className="find-box" role="search">
      <Icon name="search" className="find-icon" />
      <input
        ref={ref}
        type="search"
        className="text-input find-input"
        aria-label="Find in this list"
        aria-keyshortcuts="Control+F Meta+F"
        aria-describedby="find-count"
        placeholder={`Find in this list (${SHORTCUT})`}
        value={query}
        maxLength={500}
        spellCheck={false}
        data-testid="find-input"
        onChange={(e) => onQuery(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <span id="find-count" className="find-count" role="status" data-testid="find-count">
        {query.trim() === '' ? '' : `${found} of ${of}`}
      </span>
    </div>
  );
});
