/**
 * A parse worker (see parse-pool.ts): receives bodies, answers with the validated request
 * or the protocol error, one at a time.
 */
import { parentPort } from 'node:worker_threads';
import { ProtocolError } from 'fieldsync/server';
import { parseBody } from './parse-body.ts';

export interface ParseJob {
  readonly id: number;
  readonly body: Uint8Array;
}

export type ParseAnswer =
  | { readonly id: number; readonly ok: true; readonly request: ReturnType<typeof parseBody> }
  | { readonly id: number; readonly ok: false; readonly code: ProtocolError['code'] | null; readonly message: string; readonly index: number | undefined };

parentPort?.on('message', (job: ParseJob) => {
  let answer: ParseAnswer;
  try {
    answer = { id: job.id, ok: true, request: parseBody(job.body) };
  } catch (err) {
    answer = err instanceof ProtocolError
      ? { id: job.id, ok: false, code: err.code, message: err.message, index: err.index }
      : { id: job.id, ok: false, code: null, message: err instanceof Error ? err.message : String(err), index: undefined };
  }
  parentPort?.postMessage(answer);
});
