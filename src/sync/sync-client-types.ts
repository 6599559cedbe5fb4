/**
 * The sync client's public shapes: its options, its events, its status and the client itself
 * (the functions are in sync-client.ts; the API's guide is docs/api.md).
 */
import type { DeviceNamesSetup } from './devices.ts';
import type { Message } from './message.ts';
import type { Remote } from './remote.ts';
import type { RowFields, Schema, SchemaInput } from './schema.ts';
import type { Listener } from './listeners.ts';
import type { StoredMessage, SyncStore } from './store.ts';
import type { SyncState } from './sync-scheduler.ts';
import type { ReplacedCell } from './replaced-cells.ts';

export type { SyncState } from './sync-scheduler.ts';

/** A table's name in declaration `I`. */
export type TableName<I extends SchemaInput> = keyof I['tables'] & string;

export interface SyncClientOptions<I extends SchemaInput = SchemaInput> {
  readonly schema: Schema<I>;
  readonly store: SyncStore;
  /** The server. Without one, the client works purely locally until `close()`. */
  readonly remote?: Remote;
  /** Delay between a local write and the sync it triggers, in ms. Default 5. */
  readonly debounceMs?: number;
  /** Periodic sync, in ms; 0 turns it off. Default 30 000. */
  readonly intervalMs?: number;
  /** Backoff between failed syncs. */
  readonly retry?: { readonly initialMs?: number; readonly maxMs?: number };
  /** Most messages pushed per request. Default 1000 (the protocol allows 5000). */
  readonly pushBatchSize?: number;
  /** Most messages pulled per request. Default 1000. */
  readonly pullLimit?: number;
  /** Most bytes per request body. Default 1 MiB (servers accept 4 MiB by default). */
  readonly maxRequestBytes?: number;
  /**
   * How long a store call may run before the status reports it stalled (a StoreStalledError,
   * state `error`) until it settles, and before createSyncClient and close() stop waiting for
   * it and reject with that error, in ms. Default 10 000.
   */
  readonly storeStallMs?: number;
  /** Start syncing at once (timers, pokes). Default true. */
  readonly autoSync?: boolean;
  /** Physical clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
  /** Randomness for ids and jitter, for tests. */
  readonly random?: () => number;
  /**
   * This device's display name, `deviceNames({ name })`: published in a synced table of the
   * schema (`devices` unless `table` names another; it needs a string column `name`) so
   * that other devices can name it: written at start when this device has published none
   * yet (a rename with `setDeviceName` stays), see `deviceNames`.
   */
  readonly device?: DeviceNamesSetup;
}

export interface ChangeEvent {
  /** `local`: this client wrote. `remote`: pulled messages changed the data. */
  readonly source: 'local' | 'remote';
  /** Changed row ids, by table. */
  readonly changes: Readonly<Record<string, readonly string[]>>;
}

/**
 * What `'replaced'` listeners get after a pull replaced the value of cells: for each cell,
 * the value it held (and the `hlc` of its message) and the one it holds now. A value this
 * device wrote and another device overwrote shows up here, so it is never lost silently.
 */
export interface ReplacedEvent {
  readonly cells: readonly ReplacedCell[];
}

export interface SyncStatus {
  readonly state: SyncState;
  /** False while `setOnline(false)` holds the client off the network. */
  readonly online: boolean;
  readonly clientId: string;
  /** Local messages not yet held by the server. */
  readonly pending: number;
  /** Local messages the server refused (see `rejected()`). */
  readonly rejected: number;
  /** End of the last successful sync (epoch ms), or null. */
  readonly lastSyncAt: number | null;
  readonly cursor: number;
  /**
   * The last failure, while the state is offline, error or unauthorized; or, state error, code
   * `store_stalled`, a store call that has not settled after `storeStallMs` (StoreStalledError).
   */
  readonly error: { readonly code: string; readonly message: string } | null;
  /** When the next automatic retry happens (epoch ms), or null. */
  readonly nextRetryAt: number | null;
}

/** A stored message with whether it currently wins its cell (for inspectors). */
export interface InspectedMessage extends StoredMessage {
  readonly won: boolean;
}

/**
 * A client of the schema `defineSchema` made from the declaration `I`: its writes take that
 * declaration's tables, columns and values only (`set('todos', id, 'done', 'yes')` does not
 * compile). A client of a `Schema` made at run time takes any name and any JSON value, as
 * JavaScript does; the client checks them all when it runs either way.
 */
export interface SyncClient<I extends SchemaInput = SchemaInput> {
  readonly clientId: string;
  readonly schema: Schema<I>;
  /** Sets one field of one row. */
  set<T extends TableName<I>, C extends keyof RowFields<I, T> & string>(table: T, row: string, column: C, value: RowFields<I, T>[C]): Promise<Message>;
  /** Sets several fields of one row in one atomic write. */
  update<T extends TableName<I>>(table: T, row: string, fields: Partial<RowFields<I, T>>): Promise<Message[]>;
  /** Deletes a row (a `_deleted: true` tombstone). */
  delete(table: TableName<I>, row: string): Promise<Message>;
  /**
   * Syncs now; resolves with the status when a full sync that began after this call has
   * finished. Rejects with its error when it fails: a NetworkError offline (the server down,
   * or `setOnline(false)`), a RemoteError (such as `unauthorized`); without a remote, a
   * FieldsyncError of code `network`. The status shows the same, and the client goes on as after any failed sync.
   */
  sync(): Promise<SyncStatus>;
  /** Goes offline (false) or back online (true). Writes keep working offline. */
  setOnline(online: boolean): void;
  readonly status: SyncStatus;
  /**
   * Listens; returns the function that unsubscribes. Each listener is called on its own: one
   * that throws changes nothing for the client, and its exception is reported as an uncaught
   * one (listeners.ts, docs/api.md).
   */
  on(event: 'change', listener: Listener<ChangeEvent>): () => void;
  on(event: 'status', listener: Listener<SyncStatus>): () => void;
  /** Cells whose value a pull replaced, with the value before and after. Read only while someone listens. */
  on(event: 'replaced', listener: Listener<ReplacedEvent>): () => void;
  /** The newest messages, newest first, each marked with whether it wins its cell. */
  recent(limit?: number): Promise<InspectedMessage[]>;
  /** Every applied message of one cell, newest first: its winner and the writes it beat. */
  history<T extends TableName<I>>(table: T, row: string, column: keyof RowFields<I, T> & string): Promise<InspectedMessage[]>;
  /** Renames this device (the `device` option is required): a synced write like any other. */
  setDeviceName(name: string): Promise<void>;
  /** The names the given devices published, by clientId (those without one are left out). */
  deviceNames(clientIds: readonly string[]): Promise<Map<string, string>>;
  /** Local messages the server refused, with its reasons. */
  rejected(): Promise<StoredMessage[]>;
  /**
   * Stops timers and streams and waits for a sync in flight. The store stays open; every
   * other call but `status` then fails with a ClosedError (code `closed`). Rejects with a
   * StoreStalledError when a store call it waits for stalls: that call may still land, nothing
   * after it does (docs/api.md).
   */
  close(): Promise<void>;
}
