import { useEffect, useId, useRef, useState } from 'react';
import type { Toast } from '../store/app-state.ts';
import { useAppStore } from '../store/store-context.ts';
import { useToastFocus } from '../hooks/use-toast-focus.ts';
import { ToastAnnouncer } from './ToastAnnouncer.tsx';
import { altShiftKeys, isAltShift, shortcutKeys } from '../lib/shortcut-keys.ts';
import { isTextEntry } from '../lib/text-entry.ts';
import { Icon } from './Icon.tsx';
import { MessageText } from './UserText.tsx';
import { messageText } from '../lib/display-text.ts';

const LIFETIME_MS = { info: 8000, error: 12000 } as const;
/**
 * The shortcuts of toasts' actions, as this platform writes them and as aria-keyshortcuts
 * says them. Restore is not Ctrl/Cmd+R (the browser's reload) nor Ctrl/Cmd+Shift+Z (redo, in
 * every other app): Alt+Shift+R.
 */
const SHORTCUTS = {
  undo: { shown: shortcutKeys('Z'), aria: 'Control+Z Meta+Z' },
  restore: { shown: altShiftKeys('R'), aria: 'Alt+Shift+R' },
} as const;

function ToastItem({ toast, dismiss, ran }: { toast: Toast; dismiss: (id: number) => void; ran: (toast: Toast) => void }) {
  // Hovering or focusing a toast keeps it: a keyboard user needs time to reach "Undo".
  const [held, setHeld] = useState(false);
  const { id, kind, sticky } = toast;
  useEffect(() => {
    if (held || sticky) return;
    const timer = setTimeout(() => dismiss(id), LIFETIME_MS[kind]);
    return () => clearTimeout(timer);
  }, [held, id, kind, sticky, dismiss]);
  const onDismiss = () => dismiss(id);
  // Its Dismiss is named after it, and its action after its subject ("Undo delete of “Milk”",
  // starting with its visible label, which voice control says) and described by it: several
  // toasts' buttons are told apart in a screen reader's list of them.
  const about = messageText(toast.message);
  const messageId = useId();
  const shortcut = toast.action?.shortcut === undefined ? undefined : SHORTCUTS[toast.action.shortcut];

  return (
    // Not a live region itself: one added with its words in it is often not read out.
    // ToastAnnouncer, on the page from the start, says them.
    <div
      className={`toast toast-${toast.kind}`}
      data-testid={`toast-${toast.kind}`}
      onMouseEnter={() => setHeld(true)}
      onMouseLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
      onKeyDown={(event) => {
        // As its Dismiss button: Escape closes the toast the focus is in.
        if (event.key !== 'Escape') return;
        event.stopPropagation();
        onDismiss();
      }}
    >
      {toast.kind === 'error' && <Icon name="alert" className="toast-icon" />}
      <span className="toast-message" id={messageId}>
        <MessageText message={toast.message} />
      </span>
      {toast.action && (
        <button
          type="button"
          className="button button-small toast-action"
          aria-label={toast.action.name}
          aria-describedby={messageId}
          aria-keyshortcuts={shortcut?.aria}
          onClick={() => {
            ran(toast);
            toast.action?.run();
            onDismiss();
          }}
        >
          {toast.action.label}
        </button>
      )}
      {shortcut && (
        <kbd className="toast-shortcut" aria-hidden="true">
          {shortcut.shown}
        </kbd>
      )}
      <button type="button" className="icon-button" aria-label={`Dismiss notification: ${about}`} onClick={onDismiss}>
        <Icon name="close" />
      </button>
    </div>
  );
}

/**
 * Errors and undo offers, bottom-left. Ctrl/Cmd+Z runs the newest undo outside text inputs,
 * and still does once its toast has gone: a keyboard or screen reader user may not reach the
 * toast's button within its 8 seconds (WCAG 2.2.1), and the toast says the shortcut.
 * Alt+Shift+R runs the newest Restore of a deleted edit on screen, also outside text inputs.
 */
export function Toasts() {
  const toasts = useAppStore((s) => s.toasts);
  const dismiss = useAppStore((s) => s.dismissToast);
  // The newest undo offered, toast shown or not, until it runs.
  const lastUndo = useRef<Toast | null>(null);
  useEffect(() => {
    const newest = [...toasts].reverse().find((t) => t.action?.shortcut === 'undo');
    if (newest && (lastUndo.current === null || newest.id > lastUndo.current.id)) lastUndo.current = newest;
  }, [toasts]);
  const ran = (done: Toast): void => {
    if (lastUndo.current?.id === done.id) lastUndo.current = null;
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      // A text field keeps its keys for its own typing; a checkbox or a button has none to undo.
      if (isTextEntry(event.target)) return;
      if (isAltShift(event, 'r')) {
        // The newest restore on screen: one the user dismissed is declined. It is sticky, so
        // it stays until then; and Tab reaches it too, right after the view.
        const restore = [...toasts].reverse().find((t) => t.action?.shortcut === 'restore');
        if (!restore?.action) return;
        event.preventDefault();
        restore.action.run();
        dismiss(restore.id);
        return;
      }
      if (!(event.ctrlKey || event.metaKey) || event.key.toLowerCase() !== 'z' || event.shiftKey) return;
      // Only an Undo: another toast's action ("Add as a new todo") is no undo.
      const undo = lastUndo.current;
      if (!undo?.action) return;
      event.preventDefault();
      lastUndo.current = null;
      undo.action.run();
      dismiss(undo.id);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [toasts, dismiss]);

  const box = useRef<HTMLDivElement>(null);
  useToastFocus(box, toasts);

  return (
    <>
      <div className="toasts" ref={box}>
        {toasts.map((t) => (
          <ToastItem key={t.id} toast={t} dismiss={dismiss} ran={ran} />
        ))}
      </div>
      <ToastAnnouncer toasts={toasts} />
    </>
  );
}
