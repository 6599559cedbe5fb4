/**
 * The app API's methods, listed once: each one's name, its arguments as a zod tuple (the
 * exact number of arguments, each of the right type and size) and whether it reads, writes
 * or controls sync. Everything else derives from this table: the `AppApi` type, the client
 * that the preload and the WebSocket bridge build, the dispatcher's checks and its write
 * queue, and the tests.
 *
 * The data methods are generic over the app schema's tables: `rows`, `rowsById`, `create`,
 * `update`, `move`, `delete`, `restore`. Field values are checked by the core against the schema
 * (`field-checks.ts`), which also gives the user-facing message.
 */
// zod/mini: the preload and the renderer bundle this table for its names; the full zod would
// add some 170 kB to each for checks that only the main process runs.
import * as z from 'zod/mini';
import { ROW_MAX_CHARS, type JsonValue } from 'fieldsync';
import { rowError } from 'fieldsync/server';
import type { AppInfo, AnyRow, InspectorEntry, SyncView } from './app-api.ts';
import { DEVICE_NAME_MAX } from './app-schema-kit.ts';
import type { TableName } from './app-rows.ts';

export type MethodKind = 'read' | 'write' | 'control';

export interface MethodDef<A extends z.ZodMiniType<readonly unknown[]> = z.ZodMiniType<readonly unknown[]>, R = unknown> {
  /** `write`: changes data; writes run one at a time, in call order. */
  readonly kind: MethodKind;
  readonly args: A;
  /** Type only: what the method resolves to. */
  readonly __result?: R;
}

const method =
  <R>() =>
  <A extends z.ZodMiniType<readonly unknown[]>>(kind: MethodKind, args: A): MethodDef<A, R> => ({ kind, args });

/** A row id: never empty, never longer than the protocol allows. */
const id = z.string().check(z.minLength(1), z.maxLength(ROW_MAX_CHARS * 2));
/**
 * An id a caller chooses for a new row (`create`'s `{ id }`): what the sync core takes as a
 * row id, by its own rule (`rowError`, from `fieldsync/server`), checked here so that a bad
 * one is refused with the argument named, before anything is written: 1 to ROW_MAX_CHARS
 * characters (a surrogate pair is one), no U+0000 and no lone surrogate, neither of which
 * survives UTF-8 or PostgreSQL unchanged.
 */
const chosenId = z.custom<string>((v) => rowError(v) === null, {
  message: `expected an id of 1 to ${ROW_MAX_CHARS} characters, without U+0000 or a lone surrogate`,
});
/** `create`'s options: the id of the row, for one row per key (a check-in per date). */
const createOptions = z.strictObject({ id: z.optional(chosenId) });
export type CreateOptions = z.input<typeof createOptions>;
const COLUMN = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
/** A synced column, the `_deleted` tombstone included. */
const syncedColumn = z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/));
/**
 * A table name. The core looks it up in its app schema (an unknown table is
 * `invalid_argument`); the type is the app schema's table names, for typed calls.
 */
const table = z.custom<TableName>((v) => typeof v === 'string' && COLUMN.test(v), { message: 'expected a table name' });
/** Which rows: all live rows of the table, or only those of one parent row. */
const query = z.strictObject({ parent: z.optional(id) });
/**
 * Column → value. Checked here for shape only (a plain object of column names), so that a
 * key such as `__proto__` is refused rather than dropped; the values are checked against the
 * schema by the core.
 */
const fields = z.custom<Readonly<Record<string, JsonValue>>>(
  (v) => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype && Object.keys(v).length <= 64 && Object.keys(v).every((k) => COLUMN.test(k)),
  { message: 'expected an object of column names and values' },
);
/** A position; out-of-range positions are clamped to the ends. */
const index = z.int().check(z.minimum(-1_000_000), z.maximum(1_000_000));
export const INSPECT_MAX = 1000;
/**
 * The most rows `rowsById` reads in one call, and the most changed ids a data event names per
 * table: past this many, re-reading the whole list is the cheaper way (one query, not
 * hundreds of lookups).
 */
export const ROWS_BY_ID_MAX = 100;

export const API_METHODS = {
  info: method<AppInfo>()('read', z.tuple([])),
  /** The table's live rows (not deleted, complete, parents alive), in order. */
  rows: method<AnyRow[]>()('read', z.tuple([table, query])),
  /**
   * Some rows of the table by id, in the order asked: each as `rows` would return it, or null
   * when it is not live (deleted, incomplete, a parent gone, never there). What the UI
   * re-reads after a write or a data event, instead of the whole list.
   */
  rowsById: method<Array<AnyRow | null>>()('read', z.tuple([table, z.array(id).check(z.minLength(1), z.maxLength(ROWS_BY_ID_MAX))])),
  /**
   * Creates a row (the core sets its order and creation time, and its id unless `{ id }` is
   * given) and returns it. With `{ id }`, a deleted row of that id comes back and a live one
   * takes the fields over it, as another device's create of it would (docs/fork.md).
   */
  create: method<AnyRow>()('write', z.tuple([table, fields, z.optional(createOptions)])),
  update: method<void>()('write', z.tuple([table, id, fields])),
  /** Moves a row to a position (0-based) among its siblings. */
  move: method<void>()('write', z.tuple([table, id, index])),
  delete: method<void>()('write', z.tuple([table, id])),
  /**
   * Undoes a delete: the row, with its id, fields and order key, and the rows below it that
   * the delete hid (not those deleted on their own), live again. Returns it.
   */
  restore: method<AnyRow>()('write', z.tuple([table, id])),
  syncStatus: method<SyncView>()('read', z.tuple([])),
  /** "Work offline": cuts only this instance off from the server. */
  setOnline: method<void>()('control', z.tuple([z.boolean()])),
  syncNow: method<void>()('control', z.tuple([])),
  /** The newest messages, newest first. */
  inspect: method<InspectorEntry[]>()('read', z.tuple([z.int().check(z.minimum(1), z.maximum(INSPECT_MAX))])),
  /** One cell's history: every applied message of it, the winner first. */
  history: method<InspectorEntry[]>()('read', z.tuple([table, id, syncedColumn])),
  /** Renames this instance, as the others name it. */
  setDeviceName: method<void>()('control', z.tuple([z.string().check(z.minLength(1), z.maxLength(DEVICE_NAME_MAX * 2))])),
  /** Simulates a slow or lossy network: latency added to each request, a share of them dropped. */
  setNetwork: method<void>()('control', z.tuple([z.strictObject({
    latencyMs: z.int().check(z.minimum(0), z.maximum(10_000)),
    dropRate: z.number().check(z.minimum(0), z.maximum(1)),
  })])),
} as const satisfies Record<string, MethodDef>;

type Methods = typeof API_METHODS;
export type ApiMethod = keyof Methods;
export type ApiArgs<M extends ApiMethod> = z.input<Methods[M]['args']>;
export type ApiResult<M extends ApiMethod> = Methods[M] extends MethodDef<z.ZodMiniType<readonly unknown[]>, infer R> ? R : never;

/** Every method name, in the table's order. */
export const METHOD_NAMES = Object.keys(API_METHODS) as ApiMethod[];

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.hasOwn(API_METHODS, name);
}

/** A short description of what is wrong, naming the argument (1-based) but never echoing its value. */
export function describeArgsError(method: string, error: { readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[] }): string {
  const issue = error.issues[0];
  if (!issue) return `Invalid arguments for ${method}.`;
  const where = issue.path.length > 0 ? `argument ${Number(issue.path[0]) + 1}` : 'the arguments';
  return `Invalid arguments for ${method}: ${where}: ${issue.message}`;
}
