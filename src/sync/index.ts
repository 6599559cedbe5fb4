/**
 * Fieldsync: offline-first, field-level sync for any local database.
 *
 * ```ts
 * import { defineSchema, createSyncClient, createMemoryStore, createHttpRemote } from 'fieldsync';
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
export { defineSchema, findColumn, schemaValueError } from './schema.ts';
export type { ColumnDef, ColumnInfo, ColumnSpec, ColumnType, Schema, SchemaInput, TableDef } from './schema.ts';
export { createSyncClient } from './sync-client.ts';
export type { ChangeEvent, InspectedMessage, SyncClient, SyncClientOptions, SyncState, SyncStatus } from './sync-client.ts';
export { createMemoryStore } from './memory-store.ts';
export type { MemoryStore, Row } from './memory-store.ts';
export { createHttpRemote } from './http-remote.ts';
export type { FetchFn, HttpRemote, HttpRemoteOptions, TokenSource } from './http-remote.ts';
export type { PokeListener, Remote } from './remote.ts';
export { META } from './store.ts';
export type { Cell, CellWrite, Commit, MaybePromise, MessageQuery, MessageUpdate, StoreState, StoredMessage, SyncStore } from './store.ts';
export { HybridClock, formatHlc, parseHlc, tryParseHlc, hlcClientId, hlcMillis, CLIENT_ID_PATTERN, MAX_COUNTER } from './hlc.ts';
export type { ClockOptions, Timestamp } from './hlc.ts';
export {
  DELETED_COLUMN, IDENTIFIER_PATTERN, ROW_MAX_CHARS, VALUE_MAX_BYTES, VALUE_MAX_DEPTH,
  cellKey, messageError, rowError, utf8Length, validateMessages, valueError,
} from './message.ts';
export type { JsonValue, Message, ServerMessage } from './message.ts';
export {
  DEFAULT_BODY_LIMIT_BYTES, DEFAULT_MAX_DRIFT_MS, DEFAULT_PULL_LIMIT, ERROR_STATUS, MAX_PULL_LIMIT, MAX_PUSH_MESSAGES,
  PROTOCOL_VERSION, ProtocolError, findClockDrift, parseSyncRequest, parseSyncResponse,
} from './protocol.ts';
export type { ErrorBody, Poke, SyncRequest, SyncResponse } from './protocol.ts';
export {
  ClockError, ClosedError, FieldsyncError, NetworkError, RemoteError, SchemaError, StoreError, ValidationError, describeError,
} from './errors.ts';
export type { ErrorCode, LocalErrorCode, ProtocolErrorCode } from './errors.ts';
export { cellsOf, planMerge } from './merge.ts';
export type { MergePlan } from './merge.ts';
export { backoffDelay } from './backoff.ts';
export { createSseParser } from './sse.ts';
export type { SseEvent } from './sse.ts';
export { newClientId } from './client-state.ts';
