/**
 * The order rows are shown in, one definition for the core (which sorts what `rows` returns)
 * and the renderer (which puts a re-read row back in its place without reading the list):
 * by the table's `order()` column, then id; without one, by `createdAt()`, then id; else by
 * id. Plain string comparison, never locale-aware: both sides must agree to the last key.
 */
import type { AnyRow } from './app-api.ts';
import type { AppTable } from './app-schema-kit.ts';

export interface Ordered {
  readonly id: string;
  readonly order: string;
}

const byId = (a: { readonly id: string }, b: { readonly id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Sorts by `order`, then `id`. */
export function byOrder(a: Ordered, b: Ordered): number {
  if (a.order !== b.order) return a.order < b.order ? -1 : 1;
  return byId(a, b);
}

/** The comparator of a table's rows. */
export function rowOrder(t: AppTable): (a: AnyRow, b: AnyRow) => number {
  if (t.orderColumn !== null) {
    const column = t.orderColumn;
    return (a, b) => byOrder({ id: a.id, order: a[column] as string }, { id: b.id, order: b[column] as string });
  }
  if (t.createdAtColumn !== null) {
    const column = t.createdAtColumn;
    return (a, b) => (a[column] as number) - (b[column] as number) || byId(a, b);
  }
  return byId;
}
