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
import { ROWS_BY_ID_MAX } from '../../../shared/api-methods.ts';
import type { AnyRow } from '../../../shared/app-api.ts';
import type { TableName } from '../../../shared/app-rows.ts';
import type { AppTable } from '../../../shared/app-schema-kit.ts';
import { appSchema } from '../../../shared/app-schema.ts';
import { rowOrder } from '../../../shared/row-order.ts';
import { checkFields } from '../../../shared/field-checks.ts';
import { quotedName } from '../lib/cell-words.ts';
import { quoted } from '../lib/display-text.ts';
import { HOST_GONE_CODE } from '../lib/sync-label.ts';
import type { DataSlice, Fields, SliceContext, TextResult } from './app-state.ts';
import { isInvalidArgument, isNotFound } from './errors.ts';
import { patchRows } from './row-patch.ts';
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
  /** Reads asked for, whole or by row: each read's number says which is newer. */
  requested: number;
  /** The number of the whole read on screen. */
  applied: number;
  /** Rows re-read since then, by id: the number of the read of each on screen. */
  readonly rowReads: Map<string, number>;
}

const tableOf = (name: string): AppTable => appSchema.table(name) as AppTable;
const orders = new Map<string, (a: AnyRow, b: AnyRow) => number>(appSchema.tableNames.map((name) => [name, rowOrder(tableOf(name))]));
const orderOf = (table: string) => orders.get(table) ?? rowOrder(tableOf(table));

export function createDataSlice({ api, set, get }: SliceContext): DataSlice {
  const queries = new Map<string, Query>();
  // Rows this instance is deleting: a second delete of one is ignored (a double click sends
  // two), and its disappearance is no news from another device.
  const removing = new Set<string>();
  let restores = 0;

  const held = (key: string): readonly AnyRow[] => get().queries[key]?.rows ?? [];

  /** Puts a query's new rows on screen, and keeps its table's selection true to them. */
  function show(key: string, q: Query, previous: readonly AnyRow[], rows: readonly AnyRow[]): void {
    if (rows !== previous || !get().queries[key]?.loaded) set((s) => ({ queries: { ...s.queries, [key]: { rows, loaded: true } } }));
    const table = q.table as TableName;
    if (q.parent === undefined && table in get().selected) {
      const selected = get().selected[table] ?? null;
      const picked = pickSelection(previous, rows, selected);
      if (picked !== selected) set((s) => ({ selected: { ...s.selected, [table]: picked } }));
      // The open row went away, and not by a delete of this instance: say so (the open
      // list's pane is replaced by another's, which would otherwise look like a glitch).
      const gone = previous.find((r) => r.id === selected);
      if (gone && !rows.some((r) => r.id === gone.id) && !removing.has(gone.id)) void get().reportDeleted(table, gone);
    }
  }

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
    const previous = held(key);
    // Unchanged rows keep their objects (and an unchanged list its array): see share-rows.ts.
    let next: readonly AnyRow[] = shareRows(previous, rows);
    // A row re-read after this read was asked for is newer than its answer: it stays as shown.
    const newer: [string, AnyRow | null][] = [];
    for (const [id, n] of q.rowReads) {
      if (n > seq) newer.push([id, previous.find((r) => r.id === id) ?? null]);
      else q.rowReads.delete(id);
    }
    if (newer.length > 0) next = patchRows(next, newer, orderOf(q.table));
    show(key, q, previous, next);
  }

  const belongs = (q: Query, row: AnyRow): boolean => {
    const parent = tableOf(q.table).parent;
    return q.parent === undefined || (parent !== null && row[parent.column] === q.parent);
  };

  /** Re-reads these rows of a table, puts them in place, and re-reads below a row that came or went. */
  async function refreshRows(table: string, ids: readonly string[]): Promise<void> {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return;
    if (wanted.length > ROWS_BY_ID_MAX) return refresh([table]);
    const own = [...queries].filter(([, q]) => q.watchers > 0 && q.table === table);
    const below = affected([table]).filter(([, q]) => q.table !== table);
    if (own.length === 0 && below.length === 0) return;
    // A list not on screen yet gets its first answer whole, which may be older than this change.
    const unloaded = own.filter(([key]) => !get().queries[key]?.loaded);
    const loaded = own.filter(([key]) => get().queries[key]?.loaded);
    const asked = new Map(loaded.map(([key, q]) => [key, ++q.requested]));
    // Which rows were live: a query of the whole table holds every live row.
    const whole = loaded.find(([, q]) => q.parent === undefined);
    const wasLive = whole ? new Set(held(whole[0]).map((r) => r.id)) : null;
    let found: (AnyRow | null)[];
    try {
      found = await api.rowsById(table as TableName, wanted);
    } catch (error) {
      get().reportError(error);
      return;
    }
    const rows = new Map(wanted.map((id, i) => [id, found[i] ?? null]));
    for (const [key, q] of loaded) {
      const seq = asked.get(key) as number;
      // A whole read asked for after this one is on screen: it has these rows, as new or newer.
      if (seq <= q.applied) continue;
      const changes: [string, AnyRow | null][] = [];
      for (const [id, row] of rows) {
        if ((q.rowReads.get(id) ?? 0) > seq) continue; // a newer read of this row is on screen
        q.rowReads.set(id, seq);
        changes.push([id, row !== null && belongs(q, row) ? row : null]);
      }
      const previous = held(key);
      show(key, q, previous, patchRows(previous, changes, orderOf(table)));
    }
    // The rows below a row that was deleted, or came back, are gone or back with it.
    const cameOrWent = wanted.filter((id) => wasLive === null || wasLive.has(id) !== (rows.get(id) !== null));
    // A query of all the rows below (no parent: `watch('todos')`) holds every row's children.
    const direct = (q: Query) => tableOf(q.table).parent?.table === table && q.parent !== undefined;
    const stale = below.filter(([, q]) => cameOrWent.length > 0 && (!direct(q) || cameOrWent.includes(q.parent as string)));
    await Promise.all([...unloaded, ...stale].map(([key]) => load(key)));
  }

  const affected = (tables: readonly string[] | undefined) =>
    [...queries].filter(([, q]) => q.watchers > 0 && (!tables || tables.includes(q.table) || tableOf(q.table).ancestors.some((a) => tables.includes(a))));

  async function refresh(tables?: readonly string[]): Promise<void> {
    await Promise.all(affected(tables).map(([key]) => load(key)));
  }

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
