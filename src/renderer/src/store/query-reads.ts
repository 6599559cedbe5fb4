/**
 * The reads of the data slice (data-store.ts): a watched query read whole, a change's rows
 * re-read and put in place, and the queries below a row that came or went read again. An
 * answer older than the one on screen is dropped, for a whole list and for each re-read row.
 */
import { ROWS_BY_ID_MAX } from '../../../shared/api-methods.ts';
import type { AnyRow } from '../../../shared/app-api.ts';
import type { TableName } from '../../../shared/app-rows.ts';
import type { AppTable } from '../../../shared/app-schema-kit.ts';
import { appSchema } from '../../../shared/app-schema.ts';
import { rowOrder } from '../../../shared/row-order.ts';
import type { SliceContext } from './app-state.ts';
import { isNotFound } from './errors.ts';
import { patchRows } from './row-patch.ts';
import { pickSelection } from './selection.ts';
import { shareRows } from './share-rows.ts';

/** Where a query's rows are kept in `queries`. */
export function queryKey(table: string, parent?: string): string {
  return parent === undefined ? table : JSON.stringify([table, parent]);
}

export interface Query {
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

export const tableOf = (name: string): AppTable => appSchema.table(name) as AppTable;
const orders = new Map<string, (a: AnyRow, b: AnyRow) => number>(appSchema.tableNames.map((name) => [name, rowOrder(tableOf(name))]));
const orderOf = (table: string) => orders.get(table) ?? rowOrder(tableOf(table));

export interface QueryReads {
  /** The rows on screen for a query. */
  held(key: string): readonly AnyRow[];
  /** Reads a query whole. */
  load(key: string): Promise<void>;
  refresh(tables?: readonly string[]): Promise<void>;
  refreshRows(table: string, ids: readonly string[]): Promise<void>;
}

/** `queries`: the slice's queries, by key; `removing`: rows this instance is deleting. */
export function createQueryReads({ api, set, get }: Pick<SliceContext, 'api' | 'set' | 'get'>, queries: Map<string, Query>, removing: ReadonlySet<string>): QueryReads {
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

  return { held, load, refresh, refreshRows };
}
