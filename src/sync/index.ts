/**
 * Fieldsync: offline-first, field-level sync for any local database. This is what an app
 * and a store author need; `docs/api.md` shows each name with an example. The protocol and
 * the server's parts are in `fieldsync/server`, test suites in `fieldsync/testing`, the
 * SQLite store in `fieldsync/sqlite`.
 *
 * ```ts
 * import { createHttpRemote, createMemoryStore, createSyncClient, defineSchema } from 'fieldsync';
 *
 * const schema = defineSchema({ version: 1, tables: { todos: { title: 'string', done: 'boolean' } } });
 * const client = await createSyncClient({
 *   schema,
 *   store: createMemoryStore(),
 *   remote: createHttpRemote({ url: 'http://127.0.0.1:8787', token }),
 * });
 * await client.update('todos', 't1', { title: 'Buy milk', done: false });
 * ```
 */
// The order of these lines is the order of the modules in an app's bundle (a bundler lays
// them out as the entry names them): the one that gzips the README's example smallest of
// those measured (docs/benchmarks.md, "Where the bundle's bytes go"). Types take no place.
// A store author's and the app's cell keys and limits.
export { ROW_MAX_CHARS, cellKey, utf8Length } from './message.ts';
export type { JsonValue, Message } from './message.ts';
export type { Cell, CellValue, CellWrite, Commit, MessageQuery, StoredMessage, SyncStore } from './store.ts';
// An app: the schema, the client, a store and a remote.
export { defineSchema } from './schema.ts';
export type { ColumnType, RowFields, Schema, SchemaInput } from './schema.ts';
// Errors: every one is a FieldsyncError with a stable `code`.
export { AnswerTooLargeError, FieldsyncError, NetworkError, RemoteError, SchemaError, StoreError, StoreStalledError, ValidationError } from './errors.ts';
export { createHttpRemote } from './http-remote.ts';
export type { HttpRemoteOptions } from './http-remote.ts';
export type { Remote } from './remote.ts';
export { createMemoryStore } from './memory-store.ts';
// Opt-in parts of the HTTP remote: an app that leaves them out does not ship them.
export { pokeStream } from './poke-stream.ts';
export { createSyncClient } from './sync-client.ts';
export type { ChangeEvent, InspectedMessage, ReplacedEvent, SyncClient, SyncClientOptions, SyncStatus } from './sync-client-types.ts';
// Opt-in: device names, for `createSyncClient`'s `device` option.
export { deviceNames } from './devices.ts';
// Opt-in too: the HTTP remote's request compression (`compress: gzipRequests`).
export { gzipRequests } from './request-compression.ts';
// Small helpers the app's own transports share.
export { backoffDelay } from './backoff.ts';
