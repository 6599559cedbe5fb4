/**
 * The store thread's queue (stores/store-worker.ts): small jobs first, and a turn of the
 * event loop between two rounds, so that everything that arrived meanwhile is
 * queued (and a small request that arrived during a large push goes next).
 *
 * **Groups** (issue 12, ingest): with `group`, the jobs of one kind waiting are started
 * together, up to a count and a total weight (their messages), so that their pushes can be
 * committed in one transaction (store-worker.ts's group commit): one commit and one fsync
 * for several pushes instead of one each. Small jobs still go first, as a round of their
 * own. A round is started in one synchronous pass: each job reaches its push before the
 * next one starts.
 */

export type JobOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface JobQueue {
  /** Queues a job; its result or error is handed to `done`. `weight`: its messages, for groups. */
  add(kind: 'small' | 'large', run: () => unknown, done: (outcome: JobOutcome) => void, weight?: number): void;
  readonly waiting: number;
}

export interface JobQueueOptions {
  /** Large jobs started together: at most `maxJobs`, and `maxWeight` in all (one always). */
  readonly group?: { readonly maxJobs: number; readonly maxWeight: number };
}

interface Job {
  readonly run: () => unknown;
  readonly done: (outcome: JobOutcome) => void;
  readonly weight: number;
}

/** Runs a job, its synchronous part at once; never rejects. */
const start = (job: Job): Promise<void> => (async () => job.run())().then(
  (value) => job.done({ ok: true, value }),
  (error: unknown) => job.done({ ok: false, error }),
);

export function createJobQueue(options: JobQueueOptions = {}): JobQueue {
  const small: Job[] = [];
  const large: Job[] = [];
  let draining = false;
  // A round: the next job, and with `group` the jobs of the same kind waiting behind it (small
  // ones first: a small request never waits behind a large round that started after it).
  const nextRound = (): Job[] => {
    const queue = small.length > 0 ? small : large;
    const first = queue.shift();
    if (!first) return [];
    const round = [first];
    if (options.group) {
      let weight = first.weight;
      while (queue.length > 0 && round.length < options.group.maxJobs && weight + (queue[0] as Job).weight <= options.group.maxWeight) {
        const next = queue.shift() as Job;
        weight += next.weight;
        round.push(next);
      }
    }
    return round;
  };
  const drain = async (): Promise<void> => {
    const round = nextRound();
    if (round.length === 0) {
      draining = false;
      return;
    }
    await Promise.all(round.map(start));
    setImmediate(() => void drain());
  };
  return {
    add(kind, run, done, weight = 1) {
      (kind === 'small' ? small : large).push({ run, done, weight });
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
