/**
 * The store thread's queue (stores/store-worker.ts): one job at a time, small ones first,
 * and a turn of the event loop between two jobs, so that everything that arrived meanwhile
 * is queued (and a small request that arrived during a large push goes next).
 */

export interface JobQueue {
  /** Queues a job; its result or error is handed to `done`. */
  add(kind: 'small' | 'large', run: () => unknown, done: (outcome: { ok: true; value: unknown } | { ok: false; error: unknown }) => void): void;
  readonly waiting: number;
}

interface Job {
  readonly run: () => unknown;
  readonly done: (outcome: { ok: true; value: unknown } | { ok: false; error: unknown }) => void;
}

export function createJobQueue(): JobQueue {
  const small: Job[] = [];
  const large: Job[] = [];
  let draining = false;
  const drain = async (): Promise<void> => {
    const job = small.shift() ?? large.shift();
    if (!job) {
      draining = false;
      return;
    }
    try {
      job.done({ ok: true, value: await job.run() });
    } catch (error) {
      job.done({ ok: false, error });
    }
    setImmediate(() => void drain());
  };
  return {
    add(kind, run, done) {
      (kind === 'small' ? small : large).push({ run, done });
      if (!draining) {
        draining = true;
        setImmediate(() => void drain());
      }
    },
    get waiting() {
      return small.length + large.length;
    },
  };
}
