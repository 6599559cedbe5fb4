/**
 * A parse worker: receives bodies, parses and validates them, one at a time. Its answer goes
 * back to the thread that sent the body (parse-pool.ts), or, for a worker that was given a
 * port to the SQLite store's thread (stores/store-thread.ts), straight on to that thread with
 * the request's user: the validated request never crosses the event loop. Errors always go
 * back to the sender.
 *
 * For the store's thread it also makes the clock-drift check, with the limit it was given,
 * so that the one writer does not (parsed-job.ts).
 */
import { setPriority } from 'node:os';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { ProtocolError, checkClockDrift } from 'fieldsync/server';
import { parseBody } from './parse-body.ts';
import { encodeParsedJob, type ParsedJob } from './parsed-job.ts';
import { PARSE_WORKER_NICE } from '../limits.ts';

export interface ParseJob {
  readonly id: number;
  /** The body, as it arrived, in parts (body-parts.ts). */
  readonly body: readonly Uint8Array[];
  /** With a store port: the user the request is for. */
  readonly userId?: string;
  /** With a store port: when the request reached the server (job-queue.ts, `arrivalClock`). */
  readonly arrivedAt?: number;
}

export type ParseAnswer =
  | { readonly id: number; readonly ok: true; readonly request: ReturnType<typeof parseBody> }
  | {
    readonly id: number; readonly ok: false; readonly code: ProtocolError['code'] | null; readonly message: string; readonly index: number | undefined;
    /** A clock_drift refusal's server time. */
    readonly serverTime?: string | undefined;
  };

/**
 * With a store port: the body `id` is parsed and handed on, so the worker is free for the next
 * one. Large bodies are handed to a worker at most two at a time (store-thread.ts), in turns per user:
 * more queued inside a worker could not be passed by another user's.
 */
export interface ParseDone {
  readonly id: number;
  readonly done: true;
}

export interface ParseWorkerData {
  /** Where validated requests go (the SQLite store's thread). */
  readonly storePort?: MessagePort;
  /** The sync handler's drift limit: with it, the check is made here for the store's thread. */
  readonly maxDriftMs?: number;
}

const data = (workerData ?? {}) as ParseWorkerData;

// Parsing is the heavy lane's bulk work: when the cores are short, the threads a small sync
// needs (the event loop, the store's thread, the WAL's sync thread) go first, and this one
// takes what they leave (issue 12, small sync meanwhile). Only on Linux, where a priority is a
// thread's own: elsewhere setPriority(0) would lower the whole server.
if (process.platform === 'linux' && parentPort) {
  try {
    setPriority(PARSE_WORKER_NICE);
  } catch {
    // Not allowed here (a seccomp profile): the thread parses at the usual priority.
  }
}
const storePort = data.storePort ?? null;

parentPort?.on('message', (job: ParseJob) => {
  let request: ReturnType<typeof parseBody>;
  const forStore = storePort !== null && job.userId !== undefined;
  let driftCheckedAt: number | undefined;
  try {
    request = parseBody(job.body);
    if (forStore && data.maxDriftMs !== undefined) {
      driftCheckedAt = Date.now();
      checkClockDrift(request.messages, driftCheckedAt, data.maxDriftMs);
    }
  } catch (err) {
    parentPort?.postMessage((err instanceof ProtocolError
      ? { id: job.id, ok: false, code: err.code, message: err.message, index: err.index, serverTime: err.serverTime }
      : { id: job.id, ok: false, code: null, message: err instanceof Error ? err.message : String(err), index: undefined }) satisfies ParseAnswer);
    return;
  }
  // For the store's thread, in the form that costs the one writer least (parsed-job.ts).
  if (forStore) {
    storePort.postMessage(encodeParsedJob(job.id, job.userId as string, request, { driftCheckedAt, arrivedAt: job.arrivedAt }) satisfies ParsedJob);
    parentPort?.postMessage({ id: job.id, done: true } satisfies ParseDone);
  } else parentPort?.postMessage({ id: job.id, ok: true, request } satisfies ParseAnswer);
});
