/**
 * The worker side of store-thread.ts: opens the SQLite server store in this thread and
 * answers calls `{ id, method, args }` with `{ id, ok, value | error }`, one at a time.
 * Besides the store's own methods it has `syncBody(userId, body)`: a whole sync request,
 * from its bytes to the answer's JSON text, with the sync core's handler over this store.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ProtocolError, createSyncHandler } from 'fieldsync/server';
import type { EngineOutcome } from '../ingest/sync-engine.ts';
import { parseBody } from '../ingest/parse-body.ts';
import { createSqliteServerStore, type SqliteServerStoreOptions } from './sqlite-server-store.ts';

export interface StoreWorkerData {
  readonly store: SqliteServerStoreOptions;
  readonly maxDriftMs: number;
}

export interface StoreCall {
  readonly id: number;
  readonly method: string;
  readonly args: readonly unknown[];
}

export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code: string | undefined;
  /** For a ProtocolError. */
  readonly index?: number | undefined;
  readonly serverTime?: string | undefined;
}

export type StoreAnswer =
  | { readonly type: 'ready'; readonly methods: readonly string[] }
  | { readonly type: 'failed'; readonly error: WireError }
  /** A pull failed after a stored push (the answer is still a 200): for the server's log. */
  | { readonly type: 'pull-error'; readonly error: WireError }
  | { readonly type: 'answer'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly type: 'answer'; readonly id: number; readonly ok: false; readonly error: WireError };

const toWire = (err: unknown): WireError => {
  if (err instanceof ProtocolError) return { name: err.name, message: err.message, code: err.code, index: err.index, serverTime: err.serverTime };
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), code: undefined };
  const code = (err as { code?: unknown }).code;
  return { name: err.name, message: err.message, code: code === undefined ? undefined : String(code) };
};

const port = parentPort;
if (port) {
  const data = workerData as StoreWorkerData;
  let store: Record<string, unknown> = {};
  try {
    const sqlite = createSqliteServerStore(data.store);
    const handler = createSyncHandler({
      store: sqlite,
      maxDriftMs: data.maxDriftMs,
      onPullError: (err) => port.postMessage({ type: 'pull-error', error: toWire(err) } satisfies StoreAnswer),
    });
    const syncBody = async (userId: string, body: Uint8Array): Promise<EngineOutcome> => {
      const o = await handler.validated(userId, parseBody(body));
      return { clientId: o.clientId, pushed: o.pushed, stored: o.stored, maxId: o.maxId, pulled: o.response.messages.length, body: JSON.stringify(o.response) };
    };
    store = { ...sqlite, syncBody };
    const methods = Object.keys(store).filter((k) => typeof store[k] === 'function');
    port.postMessage({ type: 'ready', methods } satisfies StoreAnswer);
  } catch (err) {
    port.postMessage({ type: 'failed', error: toWire(err) } satisfies StoreAnswer);
  }
  port.on('message', async (call: StoreCall) => {
    let answer: StoreAnswer;
    try {
      const fn = store[call.method] as ((...args: unknown[]) => unknown) | undefined;
      if (typeof fn !== 'function') throw new Error(`the store has no method ${call.method}`);
      answer = { type: 'answer', id: call.id, ok: true, value: await fn(...call.args) };
    } catch (err) {
      answer = { type: 'answer', id: call.id, ok: false, error: toWire(err) };
    }
    port.postMessage(answer);
  });
}
