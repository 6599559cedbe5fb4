/**
 * The rows of every table, for any app schema (see `DataSlice` in app-state.ts).
 *
 * - A view watches the queries it shows (`useRows`). A write, and a data event that names
 *   its rows, re-reads only the rows it changed (`rowsById`) and puts them in place
 *   (row-patch.ts): a toggle in a list of 10,000 todos reads one row, not 10,000. The
 *   queries of the tables below are re-read whole only when a row came or went (the todos of
 *   a deleted list are gone too). A data event that names no rows re-reads the watched
 *   queries of its tables, and of the tables below them.
 * - Answers can arrive out of order: an answer older than the one on screen is dropped, for
 *   a whole list and for each re-read row.
 * - A query whose parent row is gone (deleted on another device) reads as empty.
 * - Text is checked with the schema's rules before any call, so a bad title is answered at
 *   once, next to its input.
 */
import type { AnyRow } from '../../../shared/app-api.ts';
import type { TableName } from '../../../shared/app-rows.ts';
import type { AppTable } from '../../../shared/app-schema-kit.ts';
import { appSchema } from '../../../shared/app-schema.ts';
import { checkFields } from '../../../shared/field-checks.ts';
import { quotedName } from '../lib/cell-words.ts';
import { quoted } from '../lib/display-text.ts';
import { HOST_GONE_CODE } from '../lib/sync-label.ts';
import type { DataSlice, Fields, SliceContext, TextResult } from './app-state.ts';
import { isInvalidArgument } from './errors.ts';
import { createQueryReads, queryKey, tableOf, type Query } from './query-reads.ts';
import { pickSelection } from './selection.ts';

export { queryKey } from './query-reads.ts';

export function createDataSlice({ api, set, get }: SliceContext): DataSlice {
  const queries = new Map<string, Query>();
  // Rows this instance is deleting: a second delete of one is ignored (a double click sends
  // two), and its disappearance is no news from another device.
  const removing = new Set<string>();
  let restores = 0;

  // Reading the queries, whole and by row (query-reads.ts).
  const { held, load, refresh, refreshRows } = createQueryReads({ api, set, get }, queries, removing);

  /**
   * Runs a call, re-reads what it touched, and says how it went. `touched` names the rows the
   * call changed (given its result, or null when it failed); null re-reads the whole table.
   */
  async function write<T>(
    table: string,
    call: () => Promise<T>,
    inputProblem: boolean,
    touched: (value: T | null) => readonly string[] | null,
  ): Promise<{ ok: true; value: T } | { ok: false; message: string | null }> {
    const reread = (ids: readonly string[] | null) => (ids === null ? refresh([table]) : refreshRows(table, ids));
    // Made after the page stopped for good (a user's action: the calls it had waiting were
    // made before): it fails for the reason the banner gave, which says it again.
    const stopped = get().sync?.error?.code === HOST_GONE_CODE;
    try {
      const value = await call();
      await reread(touched(value));
      return { ok: true, value };
    } catch (error) {
      if (inputProblem && isInvalidArgument(error)) return { ok: false, message: error.message };
      get().reportError(error);
      if (stopped) get().sayStoppedAgain();
      await reread(touched(null));
      return { ok: false, message: null };
    }
  }

  const hasText = (table: AppTable, fields: Fields) => Object.keys(fields).some((k) => table.columns.get(k)?.kind === 'text');

  /**
   * Undo: the deleted row itself back (the core's `restore`: same id, fields, creation time
   * and order key, so in its place among its siblings), with the rows below it that the delete
   * hid. A row of a table with a selection (a list in the sidebar) is opened, so that what
   * came back shows.
   */
  async function restore(t: AppTable, id: string): Promise<void> {
    const table = t.name as TableName;
    const result = await write(table, () => api.restore(table, id), false, () => [id]);
    if (result.ok && t.descendants.length > 0) await refresh(t.descendants);
    if (result.ok && table in get().selected) get().select(table, id);
    if (result.ok) set({ restored: { table, id, seq: ++restores } });
  }

  /**
   * After a move: the moved row read again lands where it was asked to go. When it does not,
   * its siblings' keys changed too (the core renumbered them, see order-keys.ts, or another
   * device moved them meanwhile): their list is read whole.
   */
  async function checkPlace(table: string, id: string, toIndex: number): Promise<void> {
    const t = tableOf(table);
    for (const [key, q] of queries) {
      if (q.table !== table || q.watchers === 0 || (q.parent === undefined && t.parent)) continue;
      const rows = held(key);
      const at = rows.findIndex((r) => r.id === id);
      if (at !== -1 && at !== Math.max(0, Math.min(Math.trunc(toIndex), rows.length - 1))) await load(key);
    }
  }

  /** A row as some loaded query shows it. */
  function find(table: string, id: string): AnyRow | null {
    for (const [key, q] of queries) {
      if (q.table !== table) continue;
      const row = get().queries[key]?.rows.find((r) => r.id === id);
      if (row && (q.parent !== undefined || !tableOf(table).parent)) return row;
    }
    return null;
  }

  return {
    queries: {},
    selected: {},
    restored: null,

    watch(table, parent) {
      const key = queryKey(table, parent);
      let q = queries.get(key);
      if (!q) queries.set(key, (q = { table, parent, watchers: 0, requested: 0, applied: 0, rowReads: new Map() }));
      q.watchers++;
      void load(key);
      let watching = true;
      return () => {
        if (watching && q) q.watchers--;
        watching = false;
      };
    },

    refresh,
    refreshRows,

    trackSelection(table) {
      if (table in get().selected) return;
      const rows = get().queries[queryKey(table)]?.rows ?? [];
      set((s) => ({ selected: { ...s.selected, [table]: pickSelection([], rows, null) } }));
    },

    select(table, id) {
      if (get().selected[table] === id) return;
      set((s) => ({ selected: { ...s.selected, [table]: id } }));
    },

    async create(table, fields, options) {
      const t = tableOf(table);
      const checked = checkFields(appSchema, t, fields, 'create');
      if (!checked.ok) return { ok: false, message: checked.message };
      // A failed create wrote nothing, yet may leave the list unsure: it is read whole then.
      // `options` undefined is left out by the API client (createApiClient), not sent as null.
      const result = await write(table, () => api.create(table as TableName, checked.fields, options), hasText(t, fields), (row) => (row === null ? null : [row.id]));
      return result.ok ? { ok: true, row: result.value } : result;
    },

    async update(table, id, fields): Promise<TextResult> {
      const t = tableOf(table);
      const checked = checkFields(appSchema, t, fields, 'update');
      if (!checked.ok) return { ok: false, message: checked.message };
      const result = await write(table, () => api.update(table as TableName, id, checked.fields), hasText(t, fields), () => [id]);
      if (result.ok) get().settleReplaced(table, id, Object.keys(checked.fields));
      return result.ok ? { ok: true } : result;
    },

    async move(table, id, toIndex) {
      const { ok } = await write(table, () => api.move(table, id, toIndex), false, () => [id]);
      if (ok) await checkPlace(table, id, toIndex);
      return ok;
    },

    restore: (table, id) => restore(tableOf(table), id),

    async remove(table, id, options = {}) {
      if (removing.has(id)) return false;
      const t = tableOf(table);
      const before = find(table, id);
      removing.add(id);
      const { ok } = await write(table, () => api.delete(table, id), false, () => [id]).finally(() => removing.delete(id));
      if (ok && before && options.undo) {
        const title = before[t.titleColumn];
        const undo = { label: 'Undo', name: `Undo delete of ${quotedName(title)}`, shortcut: 'undo', run: () => void restore(t, id) } as const;
        get().notify({ kind: 'info', message: quoted`Deleted “${title}”`, action: undo });
      }
      return ok;
    },
  };
}
