/**
 * The pull thread, as the store's thread starts and stops it (pull-worker.ts says why it
 * exists). Its two ports go to the other threads: requests it hands on reach the store's
 * thread on one, its answers the WAL's sync thread on the other.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { THREAD_NAMES } from '../thread-names.ts';
import type { PullJob, PullMessage, PullWorkerData } from './pull-worker.ts';
import type { PullLimits } from './sqlite-pull.ts';
import type { StoreAnswer } from './store-worker.ts';

const PULL_WORKER = new URL('./pull-worker.ts', import.meta.url);

export interface PullThreadOptions {
  readonly file: string;
  readonly limits: PullLimits;
  /** The count of write transactions started, which the store's thread raises (store-worker.ts). */
  readonly started: SharedArrayBuffer;
  /** What the thread answers straight back: refusals, and follow-on pages that failed (for the log). */
  readonly onMessage: (answer: StoreAnswer) => void;
  /** The thread failed or exited: the requests it holds will not be answered. */
  readonly onStop: (err: Error) => void;
}

export interface PullThread {
  /** For the store's thread: the requests handed on arrive there (transfer it there). */
  readonly storePort: MessagePort;
  /** For the WAL's sync thread: the answers arrive there (transfer it there). */
  readonly answerPort: MessagePort;
  /** A sync request, whose body moves there without a copy (it must own its buffer). */
  sync(id: number, userId: string, body: Uint8Array): void;
  /** Closes the thread's connection and waits for it: call before the store's own close. */
  close(): Promise<void>;
  terminate(): Promise<void>;
}

export function startPullThread(o: PullThreadOptions): PullThread {
  const toStore = new MessageChannel();
  const toWal = new MessageChannel();
  const worker = new Worker(PULL_WORKER, {
    name: THREAD_NAMES.pull,
    workerData: { file: o.file, limits: o.limits, storePort: toStore.port1, answerPort: toWal.port1, started: o.started } satisfies PullWorkerData,
    transferList: [toStore.port1, toWal.port1],
  });
  let exited = false;
  let closing = false;
  const exit = new Promise<void>((resolve) => worker.once('exit', () => {
    exited = true;
    resolve();
  }));
  worker.on('message', (m: PullMessage) => {
    if (m.type === 'closed') void worker.terminate();
    else o.onMessage(m);
  });
  worker.on('error', (err) => o.onStop(err));
  worker.on('exit', (code) => {
    if (!closing) o.onStop(new Error(`the pull thread exited with code ${code}`));
  });
  return {
    storePort: toStore.port2,
    answerPort: toWal.port2,
    sync(id, userId, body) {
      worker.postMessage({ type: 'sync', id, userId, body } satisfies PullJob, [body.buffer as ArrayBuffer]);
    },
    async close() {
      if (exited) return;
      closing = true;
      worker.postMessage({ type: 'close' } satisfies PullJob);
      await exit;
    },
    async terminate() {
      closing = true;
      await worker.terminate();
    },
  };
}
