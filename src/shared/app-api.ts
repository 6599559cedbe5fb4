/**
 * The contract between the app's UI and its core. The renderer only ever talks to an
 * `AppApi`; the Electron preload, the browser host's WebSocket bridge and the test fakes all
 * implement it, so the renderer cannot tell them apart. Its methods are listed once, in
 * `api-methods.ts`.
 *
 * On the wire (IPC or WebSocket) a call is `invoke(method, args)` and the answer an
 * `Envelope`, so that errors keep their `code` across the process boundary.
 */
import type { JsonValue } from 'fieldsync';
import { METHOD_NAMES, type ApiArgs, type ApiMethod, type ApiResult, type CreateOptions } from './api-methods.ts';
import type { CreateFields, TableName, UpdateFields } from './app-rows.ts';

/** A row as the API returns it: its id and every declared column (see `app-rows.ts` for typed rows). */
export interface AnyRow {
  readonly id: string;
  readonly [column: string]: JsonValue;
}

export interface AppInfo {
  /** The profile name (`--profile`), shown in the window title and the sync panel. */
  readonly profile: string;
  readonly clientId: string;
  /** The sync server's origin and path (never credentials a URL may carry), or '' without one. */
  readonly serverUrl: string;
  /** Set when the token goes to the server in cleartext (plain http to another machine). */
  readonly serverWarning: string | null;
  readonly version: string;
}

export type SyncStateView = 'idle' | 'syncing' | 'offline' | 'error' | 'unauthorized';

/** The simulated network (the sync panel's "Network" control): added latency, dropped requests. */
export interface NetworkConditions {
  /** Added to every request to the server, in ms (0 to 10 000). */
  readonly latencyMs: number;
  /** The share of requests dropped, from 0 to 1. */
  readonly dropRate: number;
}

export interface SyncView {
  readonly state: SyncStateView;
  /** False while "Work offline" is on. */
  readonly online: boolean;
  /** False when the instance has no server to sync with (no URL or no token): it works locally. */
  readonly configured: boolean;
  /** Local messages (one per field written) not yet on the server. */
  readonly pending: number;
  /** Rows (a todo, a list) with a change not yet on the server: what a user thinks of as changes. */
  readonly unsentItems: number;
  readonly rejected: number;
  readonly lastSyncAt: number | null;
  readonly cursor: number;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly nextRetryAt: number | null;
  /** This instance's display name, as the other instances see it. */
  readonly device: string;
  readonly network: NetworkConditions;
}

/** One message as the inspector shows it. */
export interface InspectorEntry {
  readonly hlc: string;
  readonly table: string;
  readonly row: string;
  readonly column: string;
  readonly value: JsonValue;
  readonly origin: 'local' | 'remote';
  /** The server holds it. */
  readonly synced: boolean;
  /** It is the current value of its cell (last writer wins). */
  readonly won: boolean;
  /** Set aside: refused by the server, or not applicable under this app's schema. */
  readonly error: string | null;
  /** The display name of the instance that wrote it (null when it published none). */
  readonly device: string | null;
  /** The row's title, as it is now (deleted rows too), or null when it has none. */
  readonly rowTitle: string | null;
}

/** One side of a replaced value: what it was, who wrote it, when. */
export interface ReplacedSide {
  readonly value: JsonValue;
  readonly hlc: string;
  /** The writer's display name, or null when it published none. */
  readonly device: string | null;
}

/**
 * A value this instance wrote that another instance's write replaced without having seen it
 * (a conflict, as src/main/core/conflict-judge.ts decides; the later timestamp won): the row
 * shows it for a few seconds, with a way to write the old value again. A plain later edit
 * from another instance is no notice: it just shows.
 */
export interface ReplacedNotice {
  /** Unique: the new value's hlc and the cell. */
  readonly id: string;
  readonly table: string;
  readonly row: string;
  readonly column: string;
  /** The row's title now, or null. */
  readonly rowTitle: string | null;
  readonly previous: ReplacedSide;
  readonly next: ReplacedSide;
}

/**
 * A row another device deleted without having seen this device's edits of it (lost-edits.ts):
 * the edits are kept in the row, hidden with it; restoring the row brings them back.
 */
export interface DeletedEditNotice {
  /** Unique: the tombstone's hlc and the row. */
  readonly id: string;
  readonly table: string;
  readonly row: string;
  /** The row's title, or null. */
  readonly rowTitle: string | null;
  /** The columns of the edits, as the user sees them (not the order, creation time, parent). */
  readonly columns: readonly string[];
  /** The rows below it (the todos of a list) with edits of this device's, by table: they went with it. */
  readonly below: readonly { readonly table: string; readonly rows: number }[];
  /** The name the deleting device published, or null. */
  readonly device: string | null;
}

/**
 * Data changed. `tables`: every table with a changed row. `rows`: the changed rows' ids, by
 * table, for each table with at most `ROWS_BY_ID_MAX` of them (re-read them with `rowsById`);
 * a table of `tables` without an entry there changed more rows, or says not which: re-read it
 * whole.
 */
export interface DataEvent {
  readonly type: 'data';
  readonly source: 'local' | 'remote';
  readonly tables: readonly string[];
  readonly rows?: Readonly<Record<string, readonly string[]>>;
}

export type AppEvent =
  | DataEvent
  | { readonly type: 'sync'; readonly sync: SyncView }
  | { readonly type: 'replaced'; readonly notices: readonly ReplacedNotice[] }
  | { readonly type: 'deletedEdits'; readonly notices: readonly DeletedEditNotice[] };

/**
 * The API the renderer uses: one async function per method of `API_METHODS`
 * (`api-methods.ts`), with its arguments and result types, and `subscribe` for events.
 */
export type AppApi = { readonly [M in Exclude<ApiMethod, 'create' | 'update'>]: (...args: ApiArgs<M>) => Promise<ApiResult<M>> } & {
  /**
   * `create` and `update` as API_METHODS has them (`ApiArgs`), with their fields typed by the
   * table: a column the table does not have, or a value of another type, is a type error.
   */
  create<T extends TableName>(table: T, fields: CreateFields<T>, options?: CreateOptions): Promise<ApiResult<'create'>>;
  update<T extends TableName>(table: T, id: string, fields: UpdateFields<T>): Promise<ApiResult<'update'>>;
  /** Data and sync events; returns the function that unsubscribes. */
  subscribe(listener: (event: AppEvent) => void): () => void;
};

export type { ApiMethod } from './api-methods.ts';

export type AppErrorCode =
  | 'invalid_argument' // bad input: the message says what to fix
  | 'not_found' // no such list or todo
  | 'forbidden' // the caller may not use this API (wrong sender or origin)
  | 'offline' // needs the network, and this instance is offline
  | 'internal'; // anything else; details stay in the main process log

const ERROR_CODES = new Set<string>(['invalid_argument', 'not_found', 'forbidden', 'offline', 'internal']);

/** An error that crosses the process boundary with its code. */
export class AppError extends Error {
  readonly code: AppErrorCode;
  constructor(code: AppErrorCode, message: string) {
    super(message);
    this.name = 'AppError';
    this.code = code;
  }
}

/**
 * Whether a value is an AppError: an instance, or the plain `{ name: 'AppError', code,
 * message }` object the preload rejects with instead (errors lose their class and fields
 * when they cross Electron's contextBridge). `err.code` works on both.
 */
export function isAppError(value: unknown): value is Pick<AppError, 'name' | 'code' | 'message'> {
  if (value instanceof AppError) return true;
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { name?: unknown; code?: unknown; message?: unknown };
  return v.name === 'AppError' && typeof v.code === 'string' && ERROR_CODES.has(v.code) && typeof v.message === 'string';
}

export type Envelope<T = unknown> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: { readonly code: AppErrorCode; readonly message: string } };

/** How an `AppApi` reaches the core: IPC in Electron, a WebSocket in the browser host. */
export interface ApiTransport {
  invoke(method: ApiMethod, args: readonly unknown[]): Promise<Envelope>;
  onEvent(listener: (event: AppEvent) => void): () => void;
}

/**
 * The arguments without the optional ones left `undefined` at the end (`create(t, f, undefined)`):
 * the browser host's WebSocket carries them as JSON, where they would arrive as `null`, which
 * the argument check refuses.
 */
function withoutTrailingUndefined(args: unknown[]): unknown[] {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  return args.slice(0, n);
}

/** Builds the renderer-side API over a transport. Errors come back as `AppError`. */
export function createApiClient(transport: ApiTransport): AppApi {
  const call = async (method: ApiMethod, args: readonly unknown[]): Promise<unknown> => {
    const envelope = await transport.invoke(method, args);
    if (envelope && envelope.ok === true) return envelope.value;
    const error = envelope && envelope.ok === false ? envelope.error : undefined;
    const code = error && ERROR_CODES.has(error.code) ? error.code : 'internal';
    throw new AppError(code, typeof error?.message === 'string' ? error.message : 'Something went wrong.');
  };
  const api: Record<string, unknown> = {
    subscribe: (listener: (event: AppEvent) => void) => transport.onEvent(listener),
  };
  for (const method of METHOD_NAMES) api[method] = (...args: unknown[]) => call(method, withoutTrailingUndefined(args));
  return api as unknown as AppApi;
}

/** The IPC channel names (Electron) and message kinds (WebSocket). */
export const CHANNELS = { invoke: 'fieldsync:invoke', event: 'fieldsync:event' } as const;
