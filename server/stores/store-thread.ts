/**
 * The SQLite server store in a worker thread of its own (issue 11 item 3). Its driver
 * (`node:sqlite`) is synchronous: on the event loop, a 4 MiB push holds every other request, `/healthz`
 * included, for as long as its transaction takes (50 to 150 ms here). In a worker, the
 * event loop only hands bytes over. The store is the same code, behind the same
 * `ServerStore` contract; every method it has is forwarded, so additions to the store need
 * no change here. One connection, one thread: SQLite has one writer at a time anyway.
 *
 * Whole sync requests run there too (`syncBody`): small ones are parsed in the store's
 * thread; large ones go to a parse worker first, which hands the validated request straight
 * to the store's thread over a port of their own, and the store's thread takes small
 * requests before large ones, and between two chunks of a large push (store-worker.ts).
 * Its answers come back through a third thread that syncs the WAL first (wal-sync-worker.ts),
 * so that the store's thread never waits for the disk. Small bodies go to the pull thread
 * first (pull-worker.ts), which answers pull-only syncs from a read-only connection beside the
 * writer (WAL lets readers run beside it) and hands the rest on to the store's thread.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import { ProtocolError, type ServerStore } from 'fieldsync/server';
import { bodyLength, transferableParts, type BodyParts } from '../ingest/body-parts.ts';
import { createFairQueue } from '../ingest/fair-queue.ts';
import type { ParseAnswer, ParseDone, ParseJob, ParseWorkerData } from '../ingest/parse-worker.ts';
import type { EngineOutcome } from '../ingest/sync-engine.ts';
import { LARGE_BODY_BYTES, PARSE_AHEAD_BYTES, PULL_BODY_BYTES } from '../limits.ts';
import { THREAD_NAMES } from '../thread-names.ts';
import { startCheckpointThread } from './checkpoint-thread.ts';
import { createNewerSchemaLatch, NEWER_SCHEMA_CODE, type NewerSchemaListener } from './newer-schema.ts';
import type { ChunkBounds } from './chunked-push.ts';
import { pullLimits, type SqliteServerStoreOptions } from './sqlite-server-store.ts';
import { startPullThread } from './pull-thread.ts';
import type { StoreAnswer, StoreCall, StoreWorkerData } from './store-worker.ts';
import { fromWire, type WireError } from './wire-error.ts';
import type { WalSyncMessage, WalSyncWorkerData } from './wal-sync-worker.ts';

const STORE_WORKER = new URL('./store-worker.ts', import.meta.url);
const PARSE_WORKER = new URL('../ingest/parse-worker.ts', import.meta.url);
const WAL_SYNC_WORKER = new URL('./wal-sync-worker.ts', import.meta.url);

export type ThreadedStore = ServerStore & {
  close(): Promise<void>;
  /** A whole sync request in the store's thread: see ingest/sync-engine.ts. */
  /** `arrivedAt`: when the request reached the server (job-queue.ts, `arrivalClock`), for a large body's round. */
  syncBody(userId: string, body: Uint8Array | BodyParts, arrivedAt?: number): Promise<EngineOutcome>;
  /** Why the store can no longer serve (its thread stopped, a sync of the WAL failed, or it was closed); null while it serves. */
  failure(): Error | null;
  /** Tells `listener` once when the store meets a newer schema (at once if it has): newer-schema.ts. Returns an unsubscribe. */
  onNewerSchema(listener: NewerSchemaListener): () => void;
} & Record<string, unknown>;

export interface StoreThreadOptions {
  readonly store: SqliteServerStoreOptions;
  /** The sync handler's drift limit (see limits.ts). */
  readonly maxDriftMs: number;
  /** Worker threads that parse large bodies for it; 0: parsed in the store's thread. */
  readonly parseWorkers: number;
  /** Pull-only syncs answered by a thread of their own (pull-worker.ts). Default true; false: by the writer, as every sync. */
  readonly pullThread?: boolean;
  /** A pull that failed after a stored push, for the server's log. */
  readonly onPullError?: (err: Error) => void;
  /** A checkpoint of the WAL that failed in its own thread (checkpoint-thread.ts), for the server's log. */
  readonly onCheckpointError?: (err: Error) => void;
  /** The most one transaction of pushes holds; default chunked-push.ts's COMMIT_CHUNK (tests make it small). */
  readonly commitChunk?: ChunkBounds;
  /** The file the WAL's sync thread syncs; default the database file's name and `-wal` (tests: one that cannot be). */
  readonly walFile?: string;
}

/**
 * Bodies a parse worker holds at once: the one it parses and the next, so that it never idles
 * for the round trip of its "done" (one at a time cost server ingest about 7 % in round 61's
 * interleaved runs). Another user's body waits for at most this many of one user's per worker.
 */
const PARSER_HOLDS = 2;

interface Parser {
  readonly worker: Worker;
  /** The bodies it holds: the one it parses and at most one more (PARSER_HOLDS). */
  readonly holding: Set<number>;
}

/** Opens the SQLite store in a new worker; rejects with the store's own error when it cannot open. */
export function openSqliteStoreThread(options: StoreThreadOptions): Promise<ThreadedStore> {
  const channels = Array.from({ length: Math.max(0, options.parseWorkers) }, () => new MessageChannel());
  // Answers reach the event loop through the WAL's sync thread (wal-sync-worker.ts), so that
  // the writer never waits for the disk; an in-memory database has nothing to sync.
  const answerChannel = options.store.file === ':memory:' ? null : new MessageChannel();
  // The WAL is checkpointed beside the writer, not in it (checkpoint-worker.ts).
  const checkpoints = answerChannel && startCheckpointThread(options.store.file, (err) => options.onCheckpointError?.(err));
  // Pull-only syncs are answered beside the writer too, from a snapshot (pull-worker.ts);
  // a file database only: another connection to `:memory:` is another database. Turned off
  // (`--pull-thread off`), the writer answers them as it does on `:memory:`: one thread and
  // one connection fewer, for a small machine, and pulls wait behind pushes again.
  const started = answerChannel && options.pullThread !== false ? new SharedArrayBuffer(8) : null;
  const pulls = started && startPullThread({
    file: options.store.file,
    limits: pullLimits(options.store),
    started,
    onMessage: (m) => onStoreMessage(m),
    onStop: (err) => stop(err),
  });
  const worker = new Worker(STORE_WORKER, {
    name: THREAD_NAMES.store,
    workerData: {
      store: options.store, maxDriftMs: options.maxDriftMs, parserPorts: channels.map((c) => c.port2), commitChunk: options.commitChunk,
      answerPort: answerChannel?.port1, checkpointPort: checkpoints?.commits, started: started ?? undefined, pullPort: pulls?.storePort,
    } satisfies StoreWorkerData,
    transferList: [...channels.map((c) => c.port2), ...(answerChannel ? [answerChannel.port1] : []), ...(checkpoints ? [checkpoints.commits] : []), ...(pulls ? [pulls.storePort] : [])],
  });
  const walSync = answerChannel && new Worker(WAL_SYNC_WORKER, {
    name: THREAD_NAMES.walSync,
    workerData: { walFile: options.walFile ?? `${options.store.file}-wal`, answers: answerChannel.port2, pullAnswers: pulls?.answerPort } satisfies WalSyncWorkerData,
    transferList: [answerChannel.port2, ...(pulls ? [pulls.answerPort] : [])],
  });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void; aheadBytes?: number }>();
  let nextId = 0;
  let stopped: Error | null = null;
  // Set once with stopped, when stopped is a newer schema's error: tells main.ts's exit and an embedder's onNewerSchema.
  const latch = createNewerSchemaLatch();
  // Large bodies wait here, as bytes, until the ones ahead of them are nearly stored (see
  // PARSE_AHEAD_BYTES) and a parse worker is free, in turns per user (fair-queue.ts, round 61):
  // a body can cost a worker seconds, so one user's backlog must not sit ahead of another's
  // body, neither here nor in a worker's own queue: a worker holds at most PARSER_HOLDS bodies.
  const waitingLarge = createFairQueue<{ readonly id: number; readonly bytes: number; send(parser: Parser): void }>();
  let aheadBytes = 0;
  const sendLarge = (): void => {
    for (;;) {
      const next = waitingLarge.peek();
      const parser = parsers.find((p) => p.holding.size < PARSER_HOLDS);
      if (stopped || next === undefined || parser === undefined || (aheadBytes !== 0 && aheadBytes + next.bytes > PARSE_AHEAD_BYTES)) return;
      waitingLarge.shift();
      if (!pending.has(next.id)) continue; // failed meanwhile (the store stopped)
      aheadBytes += next.bytes;
      parser.holding.add(next.id);
      next.send(parser);
    }
  };
  /** `parser` is done with body `id` (handed on, or refused): the next body may go. */
  const parsed = (parser: Parser, id: number): void => {
    if (!parser.holding.delete(id)) return;
    sendLarge();
  };

  const settle = (id: number, outcome: { ok: true; value: unknown } | { ok: false; error: Error }): void => {
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    if (p.aheadBytes !== undefined) {
      aheadBytes -= p.aheadBytes;
      sendLarge();
    }
    if (outcome.ok) p.resolve(outcome.value);
    else p.reject(outcome.error);
  };
  const stop = (err: Error): void => {
    stopped ??= err;
    for (const [id] of pending) settle(id, { ok: false, error: stopped });
  };
  const onAnswer = (answer: StoreAnswer & { type: 'answer' }): void => {
    settle(answer.id, answer.ok ? { ok: true, value: answer.value } : { ok: false, error: fromWire(answer.error) });
    // A newer process migrated the file: this store serves no more (failure(), /healthz 503),
    // and every call from now on fails with the same error, without reaching the threads.
    if (!answer.ok && answer.error.code === NEWER_SCHEMA_CODE) {
      const newer = fromWire(answer.error);
      stop(newer);
      if (stopped === newer) latch.set(newer); // not a store already stopped for another cause
    }
  };
  /** The pull thread's own messages: refusals, and follow-on pages that failed. */
  const onStoreMessage = (m: StoreAnswer): void => {
    if (m.type === 'pull-error') options.onPullError?.(fromWire(m.error));
    else if (m.type === 'answer') onAnswer(m);
  };
  walSync?.on('message', (m: WalSyncMessage) => {
    if (Array.isArray(m)) for (const answer of m as readonly StoreAnswer[]) onAnswer(answer as StoreAnswer & { type: 'answer' });
    else stop(fromWire((m as { error: WireError }).error));
  });
  walSync?.on('error', (err) => stop(err));
  walSync?.on('exit', (code) => stop(new Error(`the WAL's sync thread exited with code ${code}`)));

  const parsers: Parser[] = channels.map((c) => {
    const parser: Parser = { worker: new Worker(PARSE_WORKER, { name: THREAD_NAMES.parse, workerData: { storePort: c.port1, maxDriftMs: options.maxDriftMs } satisfies ParseWorkerData, transferList: [c.port1] }), holding: new Set() };
    parser.worker.on('message', (a: ParseAnswer | ParseDone) => {
      // A valid request goes on to the store's thread: only that the worker is free, or a failure, comes back here.
      if ('done' in a) return parsed(parser, a.id);
      if (!a.ok) {
        settle(a.id, { ok: false, error: a.code === null ? new Error(a.message) : new ProtocolError(a.code, a.message, a.index, a.serverTime) });
        parsed(parser, a.id);
      }
    });
    parser.worker.on('error', (err) => stop(err));
    parser.worker.on('exit', (code) => stop(new Error(`a parse worker exited with code ${code}`)));
    return parser;
  });

  const call = (method: string, args: readonly unknown[], transfer: ArrayBuffer[] = []): Promise<unknown> => {
    if (stopped) return Promise.reject(stopped);
    return new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, method, args } satisfies StoreCall, transfer);
    });
  };
  const syncBody = (userId: string, body: Uint8Array | BodyParts, arrivedAt?: number): Promise<EngineOutcome> => {
    if (stopped) return Promise.reject(stopped);
    const length = bodyLength(body);
    if (pulls && length <= PULL_BODY_BYTES) {
      // Most likely a pull: answered beside the writer, or handed on to it (pull-worker.ts).
      const [bytes] = transferableParts(body instanceof Uint8Array ? body : Buffer.concat(body, length)).parts as [Uint8Array];
      return new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        pulls.sync(id, userId, bytes);
      });
    }
    if (length < LARGE_BODY_BYTES || parsers.length === 0) {
      // Parsed in the store's thread, from one buffer that moves there without a copy.
      const { parts, transfer } = transferableParts(body instanceof Uint8Array ? body : Buffer.concat(body, length));
      return call('syncBody', length < LARGE_BODY_BYTES || arrivedAt === undefined ? [userId, parts[0]] : [userId, parts[0], arrivedAt], transfer) as Promise<EngineOutcome>;
    }
    return new Promise((resolve, reject) => {
      const id = nextId++;
      const entry: { resolve(v: unknown): void; reject(e: unknown): void; aheadBytes: number } = { resolve: resolve as (v: unknown) => void, reject, aheadBytes: 0 };
      pending.set(id, entry);
      waitingLarge.push(userId, {
        id,
        bytes: length,
        send: (parser) => {
          entry.aheadBytes = length;
          // As it arrived, in parts that move without a copy (body-parts.ts).
          const { parts, transfer } = transferableParts(body);
          parser.worker.postMessage({ id, userId, body: parts, ...(arrivedAt === undefined ? {} : { arrivedAt }) } satisfies ParseJob, transfer);
        },
      });
      sendLarge();
    });
  };

  return new Promise((resolveOpen, rejectOpen) => {
    const terminateAll = async (): Promise<void> => {
      await Promise.all([
        worker.terminate(), ...parsers.map((p) => p.worker.terminate()), ...(walSync ? [walSync.terminate()] : []),
        ...(checkpoints ? [checkpoints.terminate()] : []), ...(pulls ? [pulls.terminate()] : []),
      ]);
    };
    worker.on('message', (answer: StoreAnswer) => {
      if (answer.type === 'failed') {
        rejectOpen(fromWire(answer.error));
        void terminateAll();
        return;
      }
      if (answer.type === 'pull-error') {
        options.onPullError?.(fromWire(answer.error));
        return;
      }
      if (answer.type === 'ready') {
        const store: Record<string, unknown> = {};
        for (const method of answer.methods) store[method] = (...args: unknown[]) => call(method, args);
        store.syncBody = syncBody;
        store.failure = () => stopped ?? null;
        store.onNewerSchema = latch.onNewerSchema;
        let closing: Promise<void> | null = null;
        store.close = () => {
          closing ??= (async () => {
            // The pull and checkpoint threads' connections first, explicitly (not left to the
            // threads' teardown): the store's close is then the last one, which checkpoints
            // everything and deletes the WAL, as before those threads existed.
            await pulls?.close();
            await checkpoints?.close();
            if (!stopped) await call('close', []).catch(() => undefined);
            stop(new Error('the store is closed'));
            await terminateAll();
          })();
          return closing;
        };
        resolveOpen(store as ThreadedStore);
        return;
      }
      onAnswer(answer);
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
