/**
 * The remote contract: at most two functions that connect a sync client to a server.
 * `createHttpRemote` implements it over HTTP (docs/protocol.md); tests use an in-process server; an
 * app may wrap either (for example to add a "work offline" switch or to count requests).
 */
import type { FieldsyncError } from './errors.ts';
import type { Poke, SyncRequest, SyncResponse } from './protocol.ts';

export interface PokeListener {
  /** The server stored messages from another client of this user. */
  onPoke(poke: Poke): void;
  /** The stream (re)connected. Pokes may have been missed meanwhile, so the client syncs. */
  onOpen?(): void;
  /** The stream failed. It reconnects on its own, except after `unauthorized`. */
  onError?(error: FieldsyncError): void;
}

export interface Remote {
  /**
   * One `POST /v1/sync` round trip: push and pull. Rejects with a `RemoteError` for an
   * error answer (docs/protocol.md §7) and a `NetworkError` when the server cannot be reached.
   * The messages need no ids (what `parseSyncResponse` returns, with them, will do too).
   */
  sync(request: SyncRequest, options?: { signal?: AbortSignal }): Promise<SyncResponse>;
  /** Subscribes to pokes for this client; returns the function that unsubscribes. */
  subscribe?(clientId: string, listener: PokeListener): () => void;
}
