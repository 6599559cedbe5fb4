/**
 * What the inspector and the replaced-value notices show, in words a person reads: each row
 * by its title (deleted rows too) and each writer by the name its instance published, not
 * by ids. Titles are read from the store as they are now; names through the sync client's
 * device names.
 */
import { hlcClientId, tryParseHlc } from 'fieldsync/server';
import type { InspectedMessage, ReplacedEvent, SyncClient } from 'fieldsync';
import type { SqliteStore } from 'fieldsync/sqlite';
import type { DeletedEditNotice, InspectorEntry, ReplacedNotice } from '../../shared/app-api.ts';
import { DEVICES_TABLE, isInternalColumn, type AppSchema } from '../../shared/app-schema-kit.ts';
import type { DeletedEdit } from './lost-edits.ts';
import { toInspectorEntry } from './sync-view.ts';

export interface InspectView {
  /** Messages as the inspector shows them, named. */
  entries(messages: readonly InspectedMessage[]): Promise<InspectorEntry[]>;
  /**
   * The replaced values worth showing, of those given (the conflicts, see conflict-judge.ts):
   * those of the app's own columns a person sees (not the order, creation time, parent or
   * tombstone the core keeps), named.
   */
  notices(event: ReplacedEvent): Promise<ReplacedNotice[]>;
  /** The deleted rows' lost edits worth showing (lost-edits.ts): of the columns a person sees, named. */
  deletedEdits(edits: readonly DeletedEdit[]): Promise<DeletedEditNotice[]>;
}

const writerOf = (hlc: string): string | null => (tryParseHlc(hlc) ? hlcClientId(hlc) : null);

export function createInspectView(client: SyncClient, store: SqliteStore, schema: AppSchema): InspectView {
  function titleOf(table: string, row: string): string | null {
    const column = table === DEVICES_TABLE ? 'name' : schema.table(table)?.titleColumn;
    if (column === undefined) return null;
    const value = store.readRow(table, row)?.[column];
    return typeof value === 'string' && value.trim() !== '' ? value : null;
  }
  async function names(hlcs: readonly string[]): Promise<Map<string, string>> {
    return client.deviceNames(hlcs.map(writerOf).filter((id): id is string => id !== null));
  }
  const nameOf = (devices: ReadonlyMap<string, string>, hlc: string): string | null => devices.get(writerOf(hlc) ?? '') ?? null;

  return {
    async entries(messages) {
      const devices = await names(messages.map((m) => m.hlc));
      const titles = new Map<string, string | null>();
      return messages.map((m) => {
        const key = `${m.table}\u0000${m.row}`;
        if (!titles.has(key)) titles.set(key, titleOf(m.table, m.row));
        return toInspectorEntry(m, nameOf(devices, m.hlc), titles.get(key) ?? null);
      });
    },

    async notices(event) {
      const shown = event.cells.filter((c) => {
        const table = schema.table(c.table);
        return table !== undefined && table.columns.has(c.column) && !isInternalColumn(table, c.column);
      });
      if (shown.length === 0) return [];
      const devices = await names(shown.flatMap((c) => [c.previous.hlc, c.next.hlc]));
      return shown.map((c) => ({
        id: `${c.next.hlc}/${c.table}/${c.row}/${c.column}`,
        table: c.table,
        row: c.row,
        column: c.column,
        rowTitle: titleOf(c.table, c.row),
        previous: { value: c.previous.value, hlc: c.previous.hlc, device: nameOf(devices, c.previous.hlc) },
        next: { value: c.next.value, hlc: c.next.hlc, device: nameOf(devices, c.next.hlc) },
      }));
    },

    async deletedEdits(edits) {
      const named = edits.flatMap((e) => {
        const table = schema.table(e.table);
        const columns = e.columns.filter((c) => table !== undefined && table.columns.has(c) && !isInternalColumn(table, c));
        return columns.length === 0 && e.below.length === 0 ? [] : [{ ...e, columns }];
      });
      if (named.length === 0) return [];
      const devices = await names(named.map((e) => e.tombstone));
      return named.map((e) => ({
        id: `${e.tombstone}/${e.table}/${e.row}`,
        table: e.table,
        row: e.row,
        rowTitle: titleOf(e.table, e.row),
        columns: e.columns,
        below: e.below,
        device: nameOf(devices, e.tombstone),
      }));
    },
  };
}
