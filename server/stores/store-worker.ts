/**
 * The worker side of store-thread.ts: opens the SQLite server store in this thread and
 * answers calls `{ id, method, args }` with `{ id, ok, value | error }`. Besides the store's
 * own methods it has `syncBody(userId, body)`: a whole sync request, from its bytes to the
 * answer's JSON text, with the sync core's handler over this store. Large requests arrive
 * already validated, from the parse workers' ports.
 *
 * Between two rounds the thread takes in what arrived: small requests (and store calls) go
 * before large pushes. Requests of one kind waiting together run as one round and their
 * pushes are committed together (group commit, issue 12), in transactions of a few
 * milliseconds each (chunked-push.ts); between two of them, the small sync requests that
 * arrived meanwhile run (job-queue.ts's pause), so a small sync waits for one chunk of a
 * large push, not for all of it. No push is answered before its last chunk is committed.
 *
 * Commits do not wait for the disk here: each write transaction is reported to the WAL's
 * sync thread as it starts, with its users, and as it returns, and the answers go through
 * that thread, which lets each out once the WAL is synced past its user's commits
 * (wal-sync-worker.ts, durable-answers.ts). So this thread, the one writer, goes on with the
 * next round while the disk catches up (issue 12, ingest). Pull-only syncs do not come here:
 * the pull thread answers them beside this one and hands on the rest (pull-worker.ts).
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { createSyncHandler, type parseSyncRequest } from 'fieldsync/server';
import { decodeParsedJob, parsedJobSize, type ParsedJob } from '../ingest/parsed-job.ts';
import { createJobQueue, type JobOutcome } from '../ingest/job-queue.ts';
import { engineOutcome, type EngineOutcome } from '../ingest/sync-engine.ts';
import { parseBody } from '../ingest/parse-body.ts';
import { LARGE_BODY_BYTES } from '../limits.ts';
import { chunkedPush, type ChunkBounds } from './chunked-push.ts';
import { reportingCommits, walSyncReporter } from './commit-reports.ts';
import { createSqliteServerStore, type SqliteServerStoreOptions } from './sqlite-server-store.ts';
import type { CommitReport } from './checkpoint-worker.ts';
import type { WalSyncReport } from './wal-sync-worker.ts';
import { toWire, type WireError } from './wire-error.ts';

/**
 * A round committed together: at most this many requests, and this many messages (large ones).
 * About 2,000 messages: since the commit no longer waits for the disk here (wal-sync-worker.ts),
 * a larger round saves little, and its pushes are answered later, which leaves the clients'
 * next pushes, and the other threads' work on them, waiting. Measured with 8 clients pushing
 * 1,000 at a time, back to back: 8,000 → 2,000 took the machine from 84-86 % busy to 88-91 %
 * (medians), at the same or a higher rate.
 */
const GROUP = { maxJobs: 16, maxWeight: 2_000 };

export interface StoreWorkerData {
  readonly store: SqliteServerStoreOptions;
  readonly maxDriftMs: number;
  /** One port per parse worker: validated large requests arrive on them. */
  readonly parserPorts: readonly MessagePort[];
  /** The most one transaction of pushes holds (chunked-push.ts); default COMMIT_CHUNK. */
  readonly commitChunk?: ChunkBounds | undefined;
  /**
   * Where answers go to be made durable first (wal-sync-worker.ts). With it, commits do not
   * wait for the disk here; without it (`:memory:`), they do, and answers go straight back.
   */
  readonly answerPort?: MessagePort | undefined;
  /** Where each commit is reported to the WAL's checkpoint thread (checkpoint-worker.ts). */
  readonly checkpointPort?: MessagePort | undefined;
  /**
   * With `answerPort`: the count of write transactions started, raised before each one
   * (a BigInt64Array's one element), which the pull thread reads (pull-worker.ts).
   */
  readonly started?: SharedArrayBuffer | undefined;
  /** Where the pull thread hands on the requests it does not answer itself (pull-worker.ts). */
  readonly pullPort?: MessagePort | undefined;
}

export interface StoreCall {
  readonly id: number;
  readonly method: string;
  readonly args: readonly unknown[];
}

export type StoreAnswer =
  | { readonly type: 'ready'; readonly methods: readonly string[] }
  | { readonly type: 'failed'; readonly error: WireError }
  /** A pull failed after a stored push (the answer is still a 200): for the server's log. */
  | { readonly type: 'pull-error'; readonly error: WireError }
  | { readonly type: 'answer'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly type: 'answer'; readonly id: number; readonly ok: false; readonly error: WireError };

/**
 * The user of a small sync request, which may then run between two chunks of a large push
 * (job-queue.ts); undefined for every other call (they wait for the large round to end).
 */
const smallSyncUser = (call: StoreCall): string | undefined => (call.method === 'syncBody' ? userOfCall(call) : undefined);

/**
 * The one user whose data a call's answer shows (its first argument, for the methods that
 * take one), or undefined: the answer then waits for every commit before it.
 */
function userOfCall(call: StoreCall): string | undefined {
  return ['syncBody', 'pull', 'push', 'renewEpoch'].includes(call.method) && typeof call.args[0] === 'string' ? call.args[0] : undefined;
}

/**
 * The bytes of a large sync request that came without a parse worker (`--parse-workers 0`):
 * it queues as a large job, weighed at about a message per 100 bytes; null for any other call.
 */
function largeBody(call: StoreCall): Uint8Array | null {
  const body = call.method === 'syncBody' ? call.args[1] : undefined;
  return body instanceof Uint8Array && body.byteLength >= LARGE_BODY_BYTES ? body : null;
}

/** A large `syncBody` call's third argument: when its request reached the server (store-thread.ts). */
function arrivedAtOf(call: StoreCall): number | undefined {
  const at = call.args[2];
  return typeof at === 'number' ? at : undefined;
}

const port = parentPort;
if (port) {
  const data = workerData as StoreWorkerData;
  let store: Record<string, unknown> = {};
  let handle: (userId: string, request: ReturnType<typeof parseSyncRequest>, driftCheckedAt?: number) => Promise<EngineOutcome> = () => Promise.reject(new Error('the store did not open'));
  const queue = createJobQueue({ group: GROUP });
  try {
    const opened = createSqliteServerStore({ ...data.store, syncEachCommit: data.answerPort === undefined });
    const to = data.answerPort;
    const checkpoints = data.checkpointPort;
    const reporter = to && walSyncReporter(data.started ? new BigInt64Array(data.started) : null, (r) => to.postMessage(r), () => checkpoints?.postMessage({ type: 'committed' } satisfies CommitReport));
    const sqlite = reporter ? reportingCommits(opened, reporter) : opened;
    // What the file held at the start (a commit of a process that crashed before its sync,
    // this start's migrations) is synced before the first answer, like any commit.
    reporter?.started(null);
    to?.postMessage({ type: 'committed' } satisfies WalSyncReport);
    const handler = createSyncHandler({
      store: { ...sqlite, push: chunkedPush(sqlite, queue, data.commitChunk) },
      maxDriftMs: data.maxDriftMs,
      onPullError: (err) => port.postMessage({ type: 'pull-error', error: toWire(err) } satisfies StoreAnswer),
    });
    handle = async (userId, request, driftCheckedAt) => engineOutcome(await handler.validated(userId, request, { driftCheckedAt }));
    // A third argument (when the request arrived) is the queue's (arrivedAtOf), not the handler's.
    const syncBody = (userId: string, body: Uint8Array): Promise<EngineOutcome> => handle(userId, parseBody(body));
    store = { ...sqlite, syncBody };
    port.postMessage({ type: 'ready', methods: Object.keys(store).filter((k) => typeof store[k] === 'function') } satisfies StoreAnswer);
  } catch (err) {
    port.postMessage({ type: 'failed', error: toWire(err) } satisfies StoreAnswer);
  }

  // Through the WAL's sync thread, with the user whose data the answer shows (it waits for
  // that user's commits only: durable-answers.ts); straight back where there is no such
  // thread (`:memory:`, whose commits wait for nothing).
  const walSync = data.answerPort;
  const answer = (id: number, user: string | undefined) => (o: JobOutcome): void => {
    const a: StoreAnswer = o.ok ? { type: 'answer', id, ok: true, value: o.value } : { type: 'answer', id, ok: false, error: toWire(o.error) };
    if (walSync) walSync.postMessage({ type: 'answered', answer: a, user } satisfies WalSyncReport);
    else port.postMessage(a);
  };

  // Calls from the event loop, and sync requests the pull thread handed on (pull-worker.ts).
  const take = (call: StoreCall): void => {
    const large = largeBody(call);
    queue.add(large ? 'large' : 'small', () => {
      const fn = store[call.method] as ((...args: unknown[]) => unknown) | undefined;
      if (typeof fn !== 'function') throw new Error(`the store has no method ${call.method}`);
      return fn(...call.args);
    }, answer(call.id, userOfCall(call)), large ? Math.max(1, Math.ceil(large.byteLength / 100)) : 1, large ? undefined : smallSyncUser(call), large ? arrivedAtOf(call) : undefined);
  };
  port.on('message', take);
  data.pullPort?.on('message', take);
  for (const parser of data.parserPorts) {
    parser.on('message', (job: ParsedJob) => queue.add('large', () => handle(job.userId, decodeParsedJob(job), job.driftCheckedAt), answer(job.id, job.userId), Math.max(1, parsedJobSize(job)), undefined, job.arrivedAt));
  }
}
