/**
 * Parsing and validating large request bodies off the event loop: a small pool of worker
 * threads, each taking one body at a time (transferred, not copied). JSON.parse and the
 * per-message checks of a 4 MiB push take tens of milliseconds; on the event loop, a burst
 * of such pushes would hold up every other request, `/healthz` included (issue 11 item 3).
 *
 * Bodies wait for a worker in turns per user (fair-queue.ts, round 61): a body could cost a
 * worker seconds (JSON.parse's cost is in its arrays and objects; bounded before parsing since
 * round 62, src/sync/server/container-bound.ts), and one user's backlog of
 * such bodies must not sit ahead of another user's.
 *
 * With `workers: 0` bodies are parsed on the event loop. A worker that dies fails its job
 * with an internal error and is replaced on the next job.
 */
import { Worker } from 'node:worker_threads';
import { ProtocolError, type parseSyncRequest } from 'fieldsync/server';
import { transferableParts, type BodyParts } from './body-parts.ts';
import { createFairQueue } from './fair-queue.ts';
import { parseBody } from './parse-body.ts';
import type { ParseAnswer, ParseJob } from './parse-worker.ts';
import { THREAD_NAMES } from '../thread-names.ts';

export interface ParsePool {
  /** A body in one buffer, or as it arrived, in parts (body-parts.ts); `user`: whose turn it waits for (default one for all). */
  parse(body: Uint8Array | BodyParts, user?: string): Promise<ReturnType<typeof parseSyncRequest>>;
  /** Bodies waiting for a worker, and being parsed. */
  readonly pending: number;
  /** Stops the workers; jobs still pending fail. */
  close(): Promise<void>;
}

interface Job {
  readonly id: number;
  readonly body: Uint8Array | BodyParts;
  resolve(request: ReturnType<typeof parseSyncRequest>): void;
  reject(err: unknown): void;
}

interface Slot {
  worker: Worker | null;
  job: Job | null;
}

const WORKER_URL = new URL('./parse-worker.ts', import.meta.url);

export function createParsePool(options: { readonly workers: number }): ParsePool {
  const queue = createFairQueue<Job>();
  const slots: Slot[] = Array.from({ length: Math.max(0, options.workers) }, () => ({ worker: null, job: null }));
  let nextId = 0;
  let closed = false;

  const spawn = (slot: Slot): Worker => {
    const worker = new Worker(WORKER_URL, { name: THREAD_NAMES.parse });
    worker.unref(); // an idle pool never keeps the process alive
    worker.on('message', (answer: ParseAnswer) => {
      const job = slot.job;
      slot.job = null;
      if (job && job.id === answer.id) {
        if (answer.ok) job.resolve(answer.request);
        else job.reject(answer.code === null ? new Error(answer.message) : new ProtocolError(answer.code, answer.message, answer.index, answer.serverTime));
      }
      pump();
    });
    const lost = (err: unknown): void => {
      if (slot.worker !== worker) return;
      slot.worker = null;
      const job = slot.job;
      slot.job = null;
      job?.reject(err instanceof Error ? err : new Error('a parse worker stopped'));
      if (!closed) pump();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`a parse worker exited with code ${code}`)));
    return worker;
  };

  const pump = (): void => {
    for (const slot of slots) {
      if (slot.job !== null || queue.length === 0 || closed) continue;
      const job = queue.shift() as Job;
      slot.job = job;
      slot.worker ??= spawn(slot);
      const { parts, transfer } = transferableParts(job.body);
      const message: ParseJob = { id: job.id, body: parts };
      slot.worker.postMessage(message, transfer);
    }
  };

  return {
    parse(body, user = '') {
      if (slots.length === 0) return new Promise((resolve) => resolve(parseBody(body)));
      if (closed) return Promise.reject(new Error('the parse pool is closed'));
      return new Promise((resolve, reject) => {
        queue.push(user, { id: nextId++, body, resolve, reject });
        pump();
      });
    },
    get pending() {
      return queue.length + slots.filter((s) => s.job !== null).length;
    },
    async close() {
      closed = true;
      for (const job of queue.drain()) job.reject(new Error('the server is shutting down'));
      await Promise.all(slots.map(async (slot) => {
        const w = slot.worker;
        slot.worker = null;
        slot.job?.reject(new Error('the server is shutting down'));
        slot.job = null;
        if (w) await w.terminate();
      }));
    },
  };
}
