/**
 * Values that another instance's later write replaced, as the core reports them (the
 * `replaced` event): each row shows its own for a few seconds (RowNotices), a live region
 * announces the newest, and one click writes the old value again, as a new write that then
 * wins everywhere.
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

/** What the live region says: who replaced what, and why it won. */
export function announce(n: ReplacedNotice): string {
  const label = columnLabel(n.table, n.column);
  const row = n.rowTitle !== null ? ` of “${displayText(n.rowTitle)}”` : '';
  const who = displayText(writerName(n.next.device, n.next.hlc));
  return n.mine
    ? `Your ${label.toLowerCase()} ${words(n.previous.value)}${row} was replaced by ${words(n.next.value)} from ${who}: its edit is later.`
    : `${label}${row} changed to ${words(n.next.value)} on ${who}: it was ${words(n.previous.value)}.`;
}

export function createReplacedSlice({ get, set }: SliceContext): ReplacedSlice {
  return {
    replaced: [],
    announcement: '',

    receiveReplaced(notices) {
      // A lost edit of this instance's own is what to announce first.
      const pick = notices.find((n) => n.mine) ?? notices.at(-1);
      set((s) => ({
        replaced: [...s.replaced.filter((n) => !notices.some((m) => m.table === n.table && m.row === n.row && m.column === n.column)), ...notices].slice(-MAX_NOTICES),
        announcement: pick ? announce(pick) : s.announcement,
      }));
    },

    dismissReplaced(id) {
      set((s) => ({ replaced: s.replaced.filter((n) => n.id !== id) }));
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
