/** The app's tables and rows as types, derived from `app-schema.ts`. */
import type { CreateFieldsOf, RowOf, UpdateFieldsOf } from './app-schema-kit.ts';
import type { appSchema } from './app-schema.ts';

/** The name of one of the app's tables. */
export type TableName = (typeof appSchema)['tableNames'][number];

/** A row of `T`, as the API returns it: its id and every declared column. */
export type Row<T extends TableName> = RowOf<typeof appSchema, T>;

/**
 * The fields `create(table, fields)` takes (`CreateFieldsOf` in app-schema-kit.ts): the
 * table's columns but `order()` and `createdAt()`, each of its row type; any other key is a
 * type error. Over a union of tables, the fields of any one.
 */
export type CreateFields<T extends TableName> = CreateFieldsOf<typeof appSchema, T>;

/** The fields `update(table, id, fields)` takes: as for `create`, but never the `parent()`, set once. */
export type UpdateFields<T extends TableName> = UpdateFieldsOf<typeof appSchema, T>;
