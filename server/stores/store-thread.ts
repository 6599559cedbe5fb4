/**
 * The SQLite server store in a worker thread of its own (issue 11 item 3). better-sqlite3
 * is synchronous: on the event loop, a 4 MiB push holds every other request, `/healthz`
 * included, for as long as its transaction takes (50 to 150 ms here). In a worker, the
 * event loop only hands messages over. The store is the same code, behind the same
 * `ServerStore` contract; every method it has is forwarded, so additions to the store need
 * no change here. One connection, one thread: SQLite has one writer at a time anyway.
 *
 * A later pass can use every core for ingest from here: several workers, each with its own
 * connection (WAL lets readers run beside the writer), parsing and pulling in parallel.
 */
import { Worker } from 'node:worker_threads';
import type { SqliteServerStoreOptions } from './sqlite-server-store.ts';
import { ProtocolError, type ServerStore } from 'fieldsync/server';
import type { EngineOutcome } from '../ingest/sync-engine.ts';
import type { StoreAnswer, StoreCall, StoreWorkerData, WireError } from './store-worker.ts';

const WORKER_URL = new URL('./store-worker.ts', import.meta.url);

function fromWire(e: WireError): Error {
  if (e.name === 'ProtocolError') return new ProtocolError(e.code as ProtocolError['code'], e.message, e.index, e.serverTime);
  const err = new Error(e.message);
  err.name = e.name;
  if (e.code !== undefined) (err as Error & { code?: string }).code = e.code;
  return err;
}

export type ThreadedStore = ServerStore & {
  close(): Promise<void>;
  /** A whole sync request in the store's thread: see ingest/sync-engine.ts. */
  syncBody(userId: string, body: Uint8Array): Promise<EngineOutcome>;
} & Record<string, unknown>;

export interface StoreThreadOptions {
  readonly store: SqliteServerStoreOptions;
  /** The sync handler's drift limit (see limits.ts). */
  readonly maxDriftMs: number;
  /** A pull that failed after a stored push, for the server's log. */
  readonly onPullError?: (err: Error) => void;
}

/** The bytes of `body`, transferable without copying when it has its memory to itself. */
function ownBytes(body: Uint8Array): Uint8Array {
  if (body.byteOffset === 0 && body.buffer instanceof ArrayBuffer && body.buffer.byteLength === body.byteLength) return body;
  return new Uint8Array(body);
}

/** Opens the SQLite store in a new worker; rejects with the store's own error when it cannot open. */
export function openSqliteStoreThread(options: StoreThreadOptions): Promise<ThreadedStore> {
  const worker = new Worker(WORKER_URL, { workerData: { store: options.store, maxDriftMs: options.maxDriftMs } satisfies StoreWorkerData });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  let nextId = 0;
  let stopped: Error | null = null;

  const call = (method: string, args: readonly unknown[], transfer: ArrayBuffer[] = []): Promise<unknown> => {
    if (stopped) return Promise.reject(stopped);
    return new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, method, args } satisfies StoreCall, transfer);
    });
  };
  const stop = (err: Error): void => {
    stopped ??= err;
    for (const p of pending.values()) p.reject(stopped);
    pending.clear();
  };

  return new Promise((resolveOpen, rejectOpen) => {
    worker.on('message', (answer: StoreAnswer) => {
      if (answer.type === 'failed') {
        rejectOpen(fromWire(answer.error));
        void worker.terminate();
        return;
      }
      if (answer.type === 'pull-error') {
        options.onPullError?.(fromWire(answer.error));
        return;
      }
      if (answer.type === 'ready') {
        const store: Record<string, unknown> = {};
        for (const method of answer.methods) store[method] = (...args: unknown[]) => call(method, args);
        // The body moves to the store's thread without a copy.
        store.syncBody = (userId: string, body: Uint8Array) => {
          const bytes = ownBytes(body);
          return call('syncBody', [userId, bytes], [bytes.buffer as ArrayBuffer]);
        };
        let closing: Promise<void> | null = null;
        store.close = () => {
          closing ??= (async () => {
            if (!stopped) await call('close', []).catch(() => undefined);
            stop(new Error('the store is closed'));
            await worker.terminate();
          })();
          return closing;
        };
        resolveOpen(store as ThreadedStore);
        return;
      }
      const p = pending.get(answer.id);
      if (!p) return;
      pending.delete(answer.id);
      if (answer.ok) p.resolve(answer.value);
      else p.reject(fromWire(answer.error));
    });
    worker.on('error', (err) => {
      rejectOpen(err);
      stop(err);
    });
    worker.on('exit', (code) => {
      const err = new Error(`the store thread exited with code ${code}`);
      rejectOpen(err);
      stop(err);
    });
  });
}
