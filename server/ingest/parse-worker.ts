/**
 * A parse worker: receives bodies, parses and validates them, one at a time. Its answer goes
 * back to the thread that sent the body (parse-pool.ts), or, for a worker that was given a
 * port to the SQLite store's thread (stores/store-thread.ts), straight on to that thread with
 * the request's user: the validated request never crosses the event loop. Errors always go
 * back to the sender.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { ProtocolError } from 'fieldsync/server';
import { parseBody } from './parse-body.ts';
import { encodeParsedJob, type ParsedJob } from './parsed-job.ts';

export interface ParseJob {
  readonly id: number;
  readonly body: Uint8Array;
  /** With a store port: the user the request is for. */
  readonly userId?: string;
}

export type ParseAnswer =
  | { readonly id: number; readonly ok: true; readonly request: ReturnType<typeof parseBody> }
  | { readonly id: number; readonly ok: false; readonly code: ProtocolError['code'] | null; readonly message: string; readonly index: number | undefined };

const storePort = (workerData as { storePort?: MessagePort } | null)?.storePort ?? null;

parentPort?.on('message', (job: ParseJob) => {
  let request: ReturnType<typeof parseBody>;
  try {
    request = parseBody(job.body);
  } catch (err) {
    parentPort?.postMessage((err instanceof ProtocolError
      ? { id: job.id, ok: false, code: err.code, message: err.message, index: err.index }
      : { id: job.id, ok: false, code: null, message: err instanceof Error ? err.message : String(err), index: undefined }) satisfies ParseAnswer);
    return;
  }
  // For the store's thread, in the form that costs the one writer least (parsed-job.ts).
  if (storePort && job.userId !== undefined) storePort.postMessage(encodeParsedJob(job.id, job.userId, request) satisfies ParsedJob);
  else parentPort?.postMessage({ id: job.id, ok: true, request } satisfies ParseAnswer);
});
