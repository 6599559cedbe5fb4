/**
 * Edits of this instance's that a concurrent write of another instance replaced, as the core
 * reports them (the `replaced` event; see ReplacedNotice): each row shows its own for a few
 * seconds (RowNotices), a live region announces the newest, and one click writes the old
 * value again, as a new write that then wins everywhere. Editing the field here again
 * settles it: its notice goes.
 */
import type { ReplacedNotice } from '../../../shared/app-api.ts';
import { appSchema } from '../../../shared/app-schema.ts';
import type { TableName } from '../../../shared/app-rows.ts';
import { columnLabel, valueWords, writerName } from '../lib/cell-words.ts';
import { displayText, editableText } from '../lib/display-text.ts';
import type { ReplacedSlice, SliceContext } from './app-state.ts';

/** Older notices give way: a burst of remote edits must not pile up. */
const MAX_NOTICES = 20;

const words = (value: ReplacedNotice['previous']['value']): string => {
  const w = valueWords(value);
  return w.quote ? `“${displayText(w.text)}”` : w.text;
};

/** What the live region says: which edit of this instance's lost, to whom, and why. */
export function announce(n: ReplacedNotice): string {
  const label = columnLabel(n.table, n.column);
  const row = n.rowTitle !== null ? ` of “${displayText(n.rowTitle)}”` : '';
  const who = displayText(writerName(n.next.device, n.next.hlc));
  return `Your ${label.toLowerCase()} ${words(n.previous.value)}${row} was replaced by ${words(n.next.value)} from ${who}, which edited it at the same time: its edit is later.`;
}

export function createReplacedSlice({ get, set }: SliceContext): ReplacedSlice {
  return {
    replaced: [],
    announcement: '',

    receiveReplaced(notices) {
      const pick = notices.at(-1);
      set((s) => ({
        replaced: [...s.replaced.filter((n) => !notices.some((m) => m.table === n.table && m.row === n.row && m.column === n.column)), ...notices].slice(-MAX_NOTICES),
        announcement: pick ? announce(pick) : s.announcement,
      }));
    },

    dismissReplaced(id) {
      set((s) => ({ replaced: s.replaced.filter((n) => n.id !== id) }));
    },

    settleReplaced(table, row, columns) {
      const stale = (n: ReplacedNotice) => n.table === table && n.row === row && columns.includes(n.column);
      if (get().replaced.some(stale)) set((s) => ({ replaced: s.replaced.filter((n) => !stale(n)) }));
    },

    async restoreReplaced(notice) {
      get().dismissReplaced(notice.id);
      const column = appSchema.table(notice.table)?.columns.get(notice.column);
      // Text that broke the input rules comes back as it was shown to be edited (as Undo does).
      const value = column?.kind === 'text' ? editableText(notice.previous.value, column) : notice.previous.value;
      const result = await get().update(notice.table as TableName, notice.row, { [notice.column]: value });
      if (!result.ok && result.message) get().notify({ kind: 'error', message: result.message });
    },
  };
}
