/**
 * The types an app schema gives its rows (app-schema-kit.ts): a row as the API returns it,
 * and the fields that `create` and `update` take.
 */
import type { AppColumn, ColumnBase, FieldColumn } from './app-columns.ts';
import type { AppSchema } from './app-schema-kit.ts';

type ValueOf<C> = C extends ColumnBase<string, infer V> ? V : never;
/**
 * What `create` and `update` may write in a column: its value, but never null in a field
 * whose spec is not nullable (`field<number | null>('integer')` reads null until set, and
 * the store refuses a null written there).
 */
type WriteOf<C> = C extends FieldColumn<infer V, false> ? Exclude<V, null> : ValueOf<C>;

/** One row of a table, as the API returns it: its id and every declared column. */
export type RowOf<S extends AppSchema, N extends keyof S['declared']> = { readonly id: string } & {
  readonly [C in keyof S['declared'][N]['columns']]: ValueOf<S['declared'][N]['columns'][C]>;
};

type ColumnsOf<S extends AppSchema, N extends keyof S['declared']> = S['declared'][N]['columns'];
/** The columns of table `N` whose kind is not one of `K`. */
type ColumnsBut<S extends AppSchema, N extends keyof S['declared'], K extends AppColumn['kind']> = {
  [C in keyof ColumnsOf<S, N>]: ColumnsOf<S, N>[C] extends { readonly kind: K } ? never : C;
}[keyof ColumnsOf<S, N>];

/**
 * The fields of a new row of table `N`, as `create` takes them: any of its columns but those
 * the core sets (`order()`, `createdAt()`), each of its row type, so that a column the table
 * does not have (`{ prioritty: 1 }`) is a type error. Which are required (a required `text()`,
 * the `parent()`) is checked at run time, with a message. Over a union of tables, the fields
 * of any one of them (generic code that names its columns at run time).
 */
export type CreateFieldsOf<S extends AppSchema, N extends keyof S['declared']> = N extends keyof S['declared']
  ? { readonly [C in ColumnsBut<S, N, 'order' | 'createdAt'>]?: WriteOf<ColumnsOf<S, N>[C]> }
  : never;

/** The fields `update` takes: as for `create`, but never the `parent()`, which is set once. */
export type UpdateFieldsOf<S extends AppSchema, N extends keyof S['declared']> = N extends keyof S['declared']
  ? { readonly [C in ColumnsBut<S, N, 'order' | 'createdAt' | 'parent'>]?: WriteOf<ColumnsOf<S, N>[C]> }
  : never;
