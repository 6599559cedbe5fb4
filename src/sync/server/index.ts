/** Building blocks for Fieldsync servers: the sync handler and the server-store contract. */
export { createSyncHandler } from './sync-handler.ts';
export type { SyncHandler, SyncHandlerOptions, SyncOutcome } from './sync-handler.ts';
export { createMemoryServerStore } from './memory-server-store.ts';
export type { MemoryServerStore } from './memory-server-store.ts';
export { newEpoch } from './server-store.ts';
export type { PullOptions, PullResult, PushResult, ServerStore } from './server-store.ts';
