/**
 * The rows of every table, for any app schema (see `DataSlice` in app-state.ts).
 *
 * - A view watches the queries it shows (`useRows`); data events and writes re-read the
 *   watched queries of the tables they touched, and those of the tables below them (the
 *   todos of a deleted list are gone too).
 * - Answers can arrive out of order: an answer older than the one on screen is dropped.
 * - A query whose parent row is gone (deleted on another device) reads as empty.
 * - Text is checked with the schema's rules before any call, so a bad title is answered at
 *   once, next to its input.
 */
import type { AnyRow } from '../../../shared/app-api.ts';
import type { TableName } from '../../../shared/app-rows.ts';
import type { AppTable } from '../../../shared/app-schema-kit.ts';
import { appSchema } from '../../../shared/app-schema.ts';
import { checkFields } from '../../../shared/field-checks.ts';
import type { JsonValue } from 'fieldsync';
import { editableText, quoted } from '../lib/display-text.ts';
import type { DataSlice, Fields, SliceContext, TextResult } from './app-state.ts';
import { isInvalidArgument, isNotFound } from './errors.ts';
import { pickSelection } from './selection.ts';
import { shareRows } from './share-rows.ts';

/** Where a query's rows are kept in `queries`. */
export function queryKey(table: string, parent?: string): string {
  return parent === undefined ? table : JSON.stringify([table, parent]);
}

interface Query {
  readonly table: string;
  readonly parent: string | undefined;
  watchers: number;
  requested: number;
  applied: number;
}

const tableOf = (name: string): AppTable => appSchema.table(name) as AppTable;

/**
 * The fields that bring a deleted row back, as a new row: everything but what the core sets
 * itself. Text that arrived by sync breaking the input rules comes back as it was shown to be
 * edited (`editableText`), so that Undo is not refused.
 */
export function restorable(table: AppTable, row: AnyRow): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [name, column] of table.columns) {
    const value = row[name];
    if (column.kind === 'order' || column.kind === 'createdAt' || value === null || value === undefined) continue;
    out[name] = column.kind === 'text' ? editableText(value, column) : value;
  }
  return out;
}

export function createDataSlice({ api, set, get }: SliceContext): DataSlice {
  const queries = new Map<string, Query>();
  // Rows this instance is deleting: a second delete of one is ignored (a double click sends
  // two), and its disappearance is no news from another device.
  const removing = new Set<string>();

  async function load(key: string): Promise<void> {
    const q = queries.get(key);
    if (!q) return;
    const seq = ++q.requested;
    let rows: AnyRow[];
    try {
      rows = await api.rows(q.table as TableName, q.parent === undefined ? {} : { parent: q.parent });
    } catch (error) {
      if (seq <= q.applied) return;
      // Its parent was deleted on another device: the data event that says so re-reads the parent.
      if (!isNotFound(error)) return get().reportError(error);
      rows = [];
    }
    if (seq <= q.applied) return;
    q.applied = seq;
    const previous = get().queries[key]?.rows ?? [];
    // Unchanged rows keep their objects (and an unchanged list its array): see share-rows.ts.
    const shared = shareRows(previous, rows);
    if (shared !== previous || !get().queries[key]?.loaded) set((s) => ({ queries: { ...s.queries, [key]: { rows: shared, loaded: true } } }));
    rows = shared;
    const table = q.table as TableName;
    if (q.parent === undefined && table in get().selected) {
      const selected = get().selected[table] ?? null;
      set((s) => ({ selected: { ...s.selected, [table]: pickSelection(previous, rows, s.selected[table] ?? null) } }));
      // The open row went away, and not by a delete of this instance: say so (the open
      // list's pane is replaced by another's, which would otherwise look like a glitch).
      const gone = previous.find((r) => r.id === selected);
      if (gone && !rows.some((r) => r.id === gone.id) && !removing.has(gone.id)) void get().reportDeleted(table, gone);
    }
  }

  const affected = (tables: readonly string[] | undefined) =>
    [...queries].filter(([, q]) => q.watchers > 0 && (!tables || tables.includes(q.table) || tableOf(q.table).ancestors.some((a) => tables.includes(a))));

  async function refresh(tables?: readonly string[]): Promise<void> {
    await Promise.all(affected(tables).map(([key]) => load(key)));
  }

  /** Runs a call, re-reads what it touched, and says how it went. */
  async function write<T>(table: string, call: () => Promise<T>, inputProblem: boolean): Promise<{ ok: true; value: T } | { ok: false; message: string | null }> {
    try {
      const value = await call();
      await refresh([table]);
      return { ok: true, value };
    } catch (error) {
      if (inputProblem && isInvalidArgument(error)) return { ok: false, message: error.message };
      get().reportError(error);
      await refresh([table]);
      return { ok: false, message: null };
    }
  }

  const hasText = (table: AppTable, fields: Fields) => Object.keys(fields).some((k) => table.columns.get(k)?.kind === 'text');

  async function restore(table: AppTable, row: AnyRow, index: number): Promise<void> {
    await write(table.name, async () => {
      const created = await api.create(table.name as TableName, restorable(table, row));
      if (table.orderColumn !== null) await api.move(table.name as TableName, created.id, index);
    }, false);
  }

  /** A row as some loaded query shows it, with its place there. */
  function find(table: string, id: string): { row: AnyRow; index: number } | null {
    for (const [key, q] of queries) {
      if (q.table !== table) continue;
      const rows = get().queries[key]?.rows ?? [];
      const index = rows.findIndex((r) => r.id === id);
      if (index !== -1 && (q.parent !== undefined || !tableOf(table).parent)) return { row: rows[index] as AnyRow, index };
    }
    return null;
  }

  return {
    queries: {},
    selected: {},

    watch(table, parent) {
      const key = queryKey(table, parent);
      let q = queries.get(key);
      if (!q) queries.set(key, (q = { table, parent, watchers: 0, requested: 0, applied: 0 }));
      q.watchers++;
      void load(key);
      let watching = true;
      return () => {
        if (watching && q) q.watchers--;
        watching = false;
      };
    },

    refresh,

    trackSelection(table) {
      if (table in get().selected) return;
      const rows = get().queries[queryKey(table)]?.rows ?? [];
      set((s) => ({ selected: { ...s.selected, [table]: pickSelection([], rows, null) } }));
    },

    select(table, id) {
      if (get().selected[table] === id) return;
      set((s) => ({ selected: { ...s.selected, [table]: id } }));
    },

    async create(table, fields) {
      const t = tableOf(table);
      const checked = checkFields(appSchema, t, fields, 'create');
      if (!checked.ok) return { ok: false, message: checked.message };
      const result = await write(table, () => api.create(table as TableName, checked.fields), hasText(t, fields));
      return result.ok ? { ok: true, row: result.value } : result;
    },

    async update(table, id, fields): Promise<TextResult> {
      const t = tableOf(table);
      const checked = checkFields(appSchema, t, fields, 'update');
      if (!checked.ok) return { ok: false, message: checked.message };
      const result = await write(table, () => api.update(table as TableName, id, checked.fields), hasText(t, fields));
      if (result.ok) get().settleReplaced(table, id, Object.keys(checked.fields));
      return result.ok ? { ok: true } : result;
    },

    move: async (table, id, toIndex) => (await write(table, () => api.move(table, id, toIndex), false)).ok,

    async remove(table, id, options = {}) {
      if (removing.has(id)) return false;
      const t = tableOf(table);
      const before = find(table, id);
      removing.add(id);
      const { ok } = await write(table, () => api.delete(table, id), false).finally(() => removing.delete(id));
      if (ok && before && options.undo) {
        const { row, index } = before;
        get().notify({ kind: 'info', message: quoted`Deleted “${row[t.titleColumn]}”`, action: { label: 'Undo', run: () => void restore(t, row, index) } });
      }
      return ok;
    },
  };
}
