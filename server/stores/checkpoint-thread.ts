/**
 * The WAL's checkpoint thread, as the store's thread starts and stops it (checkpoint-worker.ts
 * says why it exists). It is not needed for anything a client sees: when it fails or dies,
 * the writer's own checkpoints go on, and only the log hears of it.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { THREAD_NAMES } from '../thread-names.ts';
import type { CheckpointControl, CheckpointMessage, CheckpointWorkerData } from './checkpoint-worker.ts';

const CHECKPOINT_WORKER = new URL('./checkpoint-worker.ts', import.meta.url);

export interface CheckpointThread {
  /** For the store's thread: where it reports its commits (transfer it there). */
  readonly commits: MessagePort;
  /** Closes the thread's connection and waits for it: call before the store's own close. */
  close(): Promise<void>;
  terminate(): Promise<void>;
}

export function startCheckpointThread(file: string, onError: (err: Error) => void): CheckpointThread {
  const channel = new MessageChannel();
  const worker = new Worker(CHECKPOINT_WORKER, {
    name: THREAD_NAMES.checkpoint,
    workerData: { file, commits: channel.port2 } satisfies CheckpointWorkerData,
    transferList: [channel.port2],
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => worker.once('exit', () => {
    exited = true;
    resolve();
  }));
  let closing = false;
  worker.on('message', (m: CheckpointMessage) => {
    if (m.type === 'checkpoint-failed') onError(new Error(`a checkpoint of the WAL failed: ${m.message}`));
    else void worker.terminate(); // closed: nothing more to do
  });
  worker.on('error', (err) => onError(err));
  worker.on('exit', (code) => {
    if (!closing && code !== 0) onError(new Error(`the WAL's checkpoint thread exited with code ${code}`));
  });
  return {
    commits: channel.port1,
    async close() {
      if (exited) return;
      closing = true;
      worker.postMessage({ type: 'close' } satisfies CheckpointControl);
      await exit;
    },
    async terminate() {
      closing = true;
      await worker.terminate();
    },
  };
}
