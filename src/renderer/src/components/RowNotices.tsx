import { useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import type { ReplacedNotice } from '../../../shared/app-api.ts';
import { columnLabel, exactTime, nounOf, quotedName, valueWhole, valueWords, writerName } from '../lib/cell-words.ts';
import { displayText } from '../lib/display-text.ts';
import { cut } from '../lib/format-value.ts';
import { useAppStore } from '../store/store-context.ts';
import { Icon } from './Icon.tsx';
import { UserText } from './UserText.tsx';

/** How long a notice stays, unless hovered or focused. */
export const NOTICE_MS = 8000;

/**
 * Up to this many characters a notice shows a value whole, wrapping; a longer one (a note's
 * body may hold 20,000) shows its first FOLD_START characters and "Show all", which unfolds it
 * whole in a box of bounded height that scrolls.
 */
export const NOTICE_FOLD = 300;
const FOLD_START = 200;

/** `whose`: "your title", "the title that won": names the Show all button among the others. */
function Value({ value, whose, className }: { value: ReplacedNotice['previous']['value']; whose: string; className: string }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const w = valueWhole(value);
  const long = w.text.length > NOTICE_FOLD;
  const shown = long && !open ? `${cut(w.text, FOLD_START)}…` : w.text;
  const words = w.quote ? <UserText className={className} value={shown} /> : <span className={className}>{shown}</span>;
  if (!long) return w.quote ? <>“{words}”</> : words;
  return (
    <>
      <span id={id} className={open ? 'notice-value-all' : undefined} tabIndex={open ? 0 : undefined} role={open ? 'region' : undefined} aria-label={open ? `${whose}, whole` : undefined}>
        {w.quote ? <>“{words}”</> : words}
      </span>{' '}
      <button type="button" className="button button-small notice-fold" aria-expanded={open} aria-controls={id} aria-label={open ? `Show less of ${whose}` : `Show all ${w.text.length} characters of ${whose}`} onClick={() => setOpen(!open)}>
        {open ? 'Show less' : `Show all (${w.text.length} characters)`}
      </button>
    </>
  );
}

function Notice({ notice }: { notice: ReplacedNotice }) {
  const dismiss = useAppStore((s) => s.dismissReplaced);
  const restore = useAppStore((s) => s.restoreReplaced);
  const showHistory = useAppStore((s) => s.filterInspector);
  const [held, setHeld] = useState(false);
  useEffect(() => {
    if (held) return;
    const timer = setTimeout(() => dismiss(notice.id), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [held, notice.id, dismiss]);
  // Closed with the focus in it (Restore, Dismiss): the focus goes to the row it is in (the
  // pane, under a list's heading), not to <body>. Run before the notice leaves the page.
  const box = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = box.current;
    return () => {
      if (el?.contains(document.activeElement)) el.parentElement?.closest<HTMLElement>('[tabindex]')?.focus();
    };
  }, []);

  const label = columnLabel(notice.table, notice.column);
  const winner = displayText(writerName(notice.next.device, notice.next.hlc));
  const old = valueWords(notice.previous.value);
  // Its buttons are named after the row too ("History of title of todo “Milk”", as the
  // inspector's): notices in several rows are told apart in a screen reader's list of buttons.
  const field = label.toLowerCase();
  const rowName = `${nounOf(notice.table)} ${notice.rowTitle === null ? '' : quotedName(notice.rowTitle)}`.trim();
  const restoreName = `Restore ${field} ${old.quote ? `“${displayText(old.text)}”` : old.text} of ${rowName}`;
  return (
    <div
      ref={box}
      className="replaced-notice"
      role="group"
      aria-label={`${label} replaced by ${winner}`}
      data-testid="replaced-notice"
      onMouseEnter={() => setHeld(true)}
      onMouseLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
    >
      <Icon name="alert" className="notice-icon" />
      <div className="notice-body">
        <p className="notice-change">
          <strong>{label}</strong> <Value value={notice.previous.value} whose={`your ${field}`} className="notice-value notice-old" /> <span aria-hidden="true">→</span>{' '}
          <span className="visually-hidden">replaced by</span> <Value value={notice.next.value} whose={`the ${field} that won`} className="notice-value" />
        </p>
        <p className="notice-why" data-testid="replaced-why">
          <UserText value={winner} /> edited it too, before seeing yours; its edit at <time>{exactTime(notice.next.hlc)}</time> is later than
          yours at <time>{exactTime(notice.previous.hlc)}</time>, so it won.
        </p>
      </div>
      <div className="notice-actions">
        <button type="button" className="button button-small" aria-label={restoreName} onClick={() => void restore(notice)}>
          Restore
        </button>
        <button type="button" className="icon-button" aria-label={`History of ${field} of ${rowName}`} title="Show this field’s history" onClick={() => showHistory({ table: notice.table, row: notice.row, column: notice.column })}>
          <Icon name="history" />
        </button>
        <button type="button" className="icon-button" aria-label={`Dismiss notice: ${field} of ${rowName} replaced`} onClick={() => dismiss(notice.id)}>
          <Icon name="close" />
        </button>
      </div>
    </div>
  );
}

/**
 * The values of one row that this instance wrote and another instance's concurrent write
 * replaced (a conflict: see ReplacedNotice), for a few seconds: which field, old and new
 * value, who won and why, and Restore (a new write, which then wins). Put it inside a row of
 * any view: `<RowNotices table="todos" row={todo.id} />`.
 */
export function RowNotices({ table, row }: { table: string; row: string }) {
  const all = useAppStore((s) => s.replaced);
  const notices = all.filter((n) => n.table === table && n.row === row);
  if (notices.length === 0) return null;
  return (
    <div className="row-notices" data-testid="row-notices">
      {notices.map((n) => (
        <Notice key={n.id} notice={n} />
      ))}
    </div>
  );
}

/** Says the newest replaced value to screen readers, without moving the focus. */
export function ReplacedAnnouncer() {
  const announcement = useAppStore((s) => s.announcement);
  return (
    <div className="visually-hidden" role="status" aria-live="polite" aria-label="Changes from other devices" data-testid="replaced-announcer">
      {announcement}
    </div>
  );
}
