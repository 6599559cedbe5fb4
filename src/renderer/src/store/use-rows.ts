/**
 * How a view reads the rows of a table: `useRows('todos', listId)` watches that query while
 * the component is mounted and returns its rows, typed by the app schema.
 *
 * ```tsx
 * const { rows: lists, loaded } = useRows('lists');
 * const [listId, selectList] = useSelection('lists');
 * const { rows: todos } = useRows('todos', listId); // null: no list, no query
 * ```
 */
import { useCallback, useEffect } from 'react';
import type { Row, TableName } from '../../../shared/app-rows.ts';
import { queryKey } from './data-store.ts';
import { useAppStore } from './store-context.ts';

const NONE: readonly never[] = [];

export interface RowsView<T extends TableName> {
  readonly rows: readonly Row<T>[];
  readonly loaded: boolean;
}

/** All live rows of `table`, or those of one parent row; `parent` null asks for nothing. */
export function useRows<T extends TableName>(table: T, parent?: string | null): RowsView<T> {
  const watch = useAppStore((s) => s.watch);
  const key = parent === null ? null : queryKey(table, parent);
  useEffect(() => (parent === null ? undefined : watch(table, parent)), [watch, table, parent]);
  const state = useAppStore((s) => (key === null ? undefined : s.queries[key]));
  return { rows: (state?.rows ?? NONE) as readonly Row<T>[], loaded: state?.loaded ?? false };
}

/** The selected row of `table` and the function that selects another. */
export function useSelection(table: TableName): readonly [string | null, (id: string | null) => void] {
  const track = useAppStore((s) => s.trackSelection);
  const select = useAppStore((s) => s.select);
  useEffect(() => track(table), [track, table]);
  const selected = useAppStore((s) => s.selected[table] ?? null);
  const selectIn = useCallback((id: string | null) => select(table, id), [select, table]);
  return [selected, selectIn] as const;
}
