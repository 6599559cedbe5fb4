/**
 * Rows deleted on another device while this one showed them: the open list, a row being
 * renamed. They vanish on the next refresh; this says so, with the device that deleted them
 * (the writer of the row's winning tombstone, by the name it published), and gives back an
 * edit that was in progress: its text is in the toast, with "Add as a new …".
 */
import type { TableName } from '../../../shared/app-rows.ts';
import { TOMBSTONE_COLUMN, type AppTable } from '../../../shared/app-schema-kit.ts';
import { appSchema } from '../../../shared/app-schema.ts';
import { quoted, type Message } from '../lib/display-text.ts';
import { restorable } from './restorable.ts';
import type { DeletedSlice, SliceContext } from './app-state.ts';

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
    async reportDeleted(table, row, lostText) {
      const t = appSchema.table(table) as AppTable;
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
        message: [...deleted, ...quoted` Your rename “${lostText}” was not saved.`],
        key,
        sticky: true,
        action: {
          label: `Add as a new ${t.noun}`,
          run: () => {
            void get().create(table, { ...restorable(t, row), [t.titleColumn]: lostText }).then((result) => {
              if (!result.ok && result.message !== null) get().notify({ kind: 'error', message: result.message });
            });
          },
        },
      });
    },
  };
}
