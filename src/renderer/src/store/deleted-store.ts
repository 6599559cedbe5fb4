/**
 * Rows deleted on another device while this one showed them: the open list, a row being
 * renamed. They vanish on the next refresh; this says so, with the device that deleted them
 * (the writer of the row's winning tombstone, by the name it published), and gives back an
 * edit that was in progress (a rename, or another text field's, such as a note's body): its
 * text is in the toast, quoted to its start, with "Add as a new …", which adds all of it.
 */
import type { TableName } from '../../../shared/app-rows.ts';
import { TOMBSTONE_COLUMN, type AppTable } from '../../../shared/app-schema-kit.ts';
import { appSchema } from '../../../shared/app-schema.ts';
import type { DeletedEditNotice } from '../../../shared/app-api.ts';
import { columnLabel, quotedName, valueWords } from '../lib/cell-words.ts';
import { quoted, type Message } from '../lib/display-text.ts';
import { restorable } from './restorable.ts';
import type { DeletedSlice, SliceContext, Toast } from './app-state.ts';

export function createDeletedSlice({ api, get }: SliceContext): DeletedSlice {
  /** Who deleted the row: null when unknown (no name published, or deleted here after all). */
  async function deletedBy(table: TableName, id: string): Promise<string | null> {
    try {
      const tombstone = (await api.history(table, id, TOMBSTONE_COLUMN)).find((e) => e.won && e.value === true);
      return tombstone?.origin === 'remote' ? tombstone.device : null;
    } catch {
      return null; // the toast says "on another device"
    }
  }

  return {
    reportDeletedEdits(notices) {
      for (const n of notices) get().notify(deletedEditToast(n, () => void get().restore(n.table as TableName, n.row)));
    },

    async reportDeleted(table, row, lostText, column) {
      const t = appSchema.table(table) as AppTable;
      const field = column ?? t.titleColumn;
      const title = row[t.titleColumn];
      const device = await deletedBy(table, row.id);
      const deleted: Message = device === null ? quoted`“${title}” was deleted on another device.` : quoted`“${title}” was deleted on ${device}.`;
      const key = `deleted/${table}/${row.id}`;
      if (lostText === undefined) {
        // A toast for this row that carries a lost edit says more: keep that one.
        if (!get().toasts.some((toast) => toast.key === key)) get().notify({ kind: 'info', message: deleted, key });
        return;
      }
      get().notify({
        kind: 'error',
        message: [...deleted, ...lostWords(t, field, lostText)],
        key,
        sticky: true,
        action: {
          label: `Add as a new ${t.noun}`,
          name: `Add as a new ${t.noun}: ${quotedName(valueWords(lostText).text)}`,
          run: () => {
            void get().create(table, { ...restorable(t, row), [field]: lostText }).then((result) => {
              if (!result.ok && result.message !== null) get().notify({ kind: 'error', message: result.message });
            });
          },
        },
      });
    },
  };
}

/** " Your rename “…” was not saved." for the title; " Your body “…” was not saved." for another field. */
function lostWords(t: AppTable, field: string, text: string): Message {
  const quote = valueWords(text).text;
  if (field === t.titleColumn) return quoted` Your rename “${quote}” was not saved.`;
  const label = t.columns.get(field);
  const name = label?.kind === 'text' ? label.label.toLowerCase() : field;
  return quoted` Your ${name} “${quote}” was not saved.`;
}

/**
 * “Milk” was deleted on laptop, which had not seen your change of Done. The changes are in
 * the rows still, hidden with them: Restore brings the row back with them (the rows below it
 * too), and the delete stays in its history. One toast per row: a later notice of it
 * replaces this one.
 */
function deletedEditToast(n: DeletedEditNotice, restore: () => void): Omit<Toast, 'id'> {
  const t = appSchema.table(n.table) as AppTable;
  const row: Message = n.rowTitle === null ? [`A ${t.noun}`] : quoted`“${n.rowTitle}”`;
  const by: Message = n.device === null ? [' was deleted on another device'] : quoted` was deleted on ${n.device}`;
  return {
    kind: 'error',
    message: [...row, ...by, `, which had not seen ${unseen(n)}.`],
    key: `deleted/${n.table}/${n.row}`,
    sticky: true,
    // Named after its row: several such toasts can wait at once, being sticky.
    action: { label: 'Restore', name: n.rowTitle === null ? `Restore the deleted ${t.noun}` : `Restore ${quotedName(n.rowTitle)}`, shortcut: 'restore', run: restore },
  };
}

/** "your change of Done", "your changes to 2 todos in it", or both joined by "nor". */
function unseen(n: DeletedEditNotice): string {
  const parts: string[] = [];
  if (n.columns.length > 0) parts.push(`your change of ${n.columns.map((c) => columnLabel(n.table, c)).join(' and ')}`);
  const rows = n.below.map((b) => {
    const below = appSchema.table(b.table) as AppTable | undefined;
    return `${b.rows} ${b.rows === 1 ? (below?.noun ?? 'row') : (below?.plural ?? 'rows')}`;
  });
  const total = n.below.reduce((sum, b) => sum + b.rows, 0);
  if (rows.length > 0) parts.push(`your ${total === 1 ? 'change' : 'changes'} to ${rows.join(' and ')} in it`);
  return parts.join(', nor ');
}
