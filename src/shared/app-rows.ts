/** The app's tables and rows as types, derived from `app-schema.ts`. */
import type { RowOf } from './app-schema-kit.ts';
import type { appSchema } from './app-schema.ts';

/** The name of one of the app's tables. */
export type TableName = (typeof appSchema)['tableNames'][number];

/** A row of `T`, as the API returns it: its id and every declared column. */
export type Row<T extends TableName> = RowOf<typeof appSchema, T>;
