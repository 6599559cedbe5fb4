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
 *
 * **Pauses** (issue 12, small lane): while small jobs are about (`smallActive`), a large round
 * commits its pushes in chunks, and between two chunks it calls `pause`: after a turn of the event loop, one round of the small jobs
 * waiting runs, then the large round goes on. So a small sync waits for one chunk of a large
 * push, not for all of it. Only small jobs that say whose they are, and are not of a user the
 * large round is storing for, run in a pause: the others (store calls, the same user's
 * requests) keep their place until the round ends, so that nothing of one user interleaves
 * with the chunks of that user's push. One small round per pause, and a large round after
 * each small round when large jobs wait: neither kind starves the other.
 */

export type JobOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface JobQueue {
  /**
   * Queues a job; its result or error is handed to `done`. `weight`: its messages, for
   * groups. `user`: the user a small job is for, which lets it run in a large round's pause.
   * `arrivedAt`: when a large job's request reached the server, on the queue's clock (see
   * `smallActive`).
   */
  add(kind: 'small' | 'large', run: () => unknown, done: (outcome: JobOutcome) => void, weight?: number, user?: string, arrivedAt?: number): void;
  /**
   * For a large round between two chunks of its commit: resolves after a turn of the event
   * loop and one round of the small jobs waiting whose user is given and not in `busy`.
   * Called from a small job (or within a pause), it resolves at once.
   */
  pause(busy: ReadonlySet<string>): Promise<void>;
  /**
   * Whether small jobs are about: one waits, or one was added within the last second, or
   * (during a large round) since a second before the round's first request reached the
   * server. A large round commits in chunks only then (a chunk costs a commit and an fsync,
   * about 2.5 ms here). The last clause is why: reading and parsing a large push is the
   * server's own time, a second or more on a busy machine, and the small requests that came
   * just before it are still about when its round starts, though none reached this queue
   * in that time.
   */
  readonly smallActive: boolean;
  readonly waiting: number;
}

export interface JobQueueOptions {
  /** Large jobs started together: at most `maxJobs`, and `maxWeight` in all (one always). */
  readonly group?: { readonly maxJobs: number; readonly maxWeight: number };
  /**
   * The clock for `smallActive`, in ms (tests). Default: the epoch time of
   * `performance.timeOrigin + performance.now()`, the same in every thread, since a job's
   * `arrivedAt` is stamped in the server's event loop.
   */
  readonly now?: () => number;
}

/** How long after a small job was added `smallActive` stays true, in ms. */
export const SMALL_ACTIVE_MS = 1000;

/** Epoch milliseconds, comparable between threads: the queue's clock, and `arrivedAt`'s. */
export const arrivalClock = (): number => performance.timeOrigin + performance.now();

interface Job {
  readonly run: () => unknown;
  readonly done: (outcome: JobOutcome) => void;
  readonly weight: number;
  readonly user: string | undefined;
  readonly arrivedAt: number;
}

/** Runs a job, its synchronous part at once; never rejects. */
const start = (job: Job): Promise<void> => (async () => job.run())().then(
  (value) => job.done({ ok: true, value }),
  (error: unknown) => job.done({ ok: false, error }),
);

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function createJobQueue(options: JobQueueOptions = {}): JobQueue {
  const small: Job[] = [];
  const large: Job[] = [];
  let draining = false;
  let largeRunning = false;
  let pausing = false;
  const now = options.now ?? arrivalClock;
  let lastSmallAt = -Infinity;
  /** When the running large round's first request reached the server; Infinity when none says. */
  let roundArrivedAt = Infinity;
  /** Small jobs that go before the next large round: those waiting when the last large round ended. */
  let smallTurn = 0;
  let fresh = true;
  /** Takes from `queue` the jobs of a round that `fits`, in order, starting with the first that does. */
  const take = (queue: Job[], fits: (job: Job) => boolean): Job[] => {
    const round: Job[] = [];
    let weight = 0;
    const maxJobs = options.group?.maxJobs ?? 1;
    const maxWeight = options.group?.maxWeight ?? Infinity;
    for (let i = 0; i < queue.length && round.length < maxJobs;) {
      const job = queue[i] as Job;
      if (!fits(job) || (round.length > 0 && weight + job.weight > maxWeight)) {
        if (round.length > 0 && fits(job)) break; // over the weight: the round ends here
        i++;
        continue;
      }
      queue.splice(i, 1);
      weight += job.weight;
      round.push(job);
    }
    return round;
  };
  // A round: the small jobs waiting go first (a small request never waits behind a large
  // round that started after it); small jobs that arrive later go after the next large round
  // (whose pauses serve them), so that a stream of small requests cannot starve large ones.
  const drain = async (): Promise<void> => {
    if (fresh) {
      fresh = false;
      smallTurn = small.length;
    }
    const isSmall = small.length > 0 && (large.length === 0 || smallTurn > 0);
    const round = take(isSmall ? small : large, () => true);
    if (round.length === 0) {
      draining = false;
      fresh = true;
      return;
    }
    if (isSmall) smallTurn -= round.length;
    largeRunning = !isSmall;
    roundArrivedAt = isSmall ? Infinity : Math.min(...round.map((job) => job.arrivedAt));
    try {
      await Promise.all(round.map(start));
    } finally {
      largeRunning = false;
      roundArrivedAt = Infinity;
    }
    if (!isSmall) smallTurn = small.length;
    setImmediate(() => void drain());
  };
  return {
    add(kind, run, done, weight = 1, user, arrivedAt = Infinity) {
      if (kind === 'small') lastSmallAt = now();
      (kind === 'small' ? small : large).push({ run, done, weight, user, arrivedAt });
      if (!draining) {
        draining = true;
        setImmediate(() => void drain());
      }
    },
    async pause(busy) {
      if (!largeRunning || pausing) return;
      pausing = true;
      try {
        await nextTurn(); // messages that arrived meanwhile are queued
        const round = take(small, (job) => job.user !== undefined && !busy.has(job.user));
        if (round.length > 0) await Promise.all(round.map(start));
      } finally {
        pausing = false;
      }
    },
    get smallActive() {
      return small.length > 0 || now() - lastSmallAt < SMALL_ACTIVE_MS || lastSmallAt > roundArrivedAt - SMALL_ACTIVE_MS;
    },
    get waiting() {
      return small.length + large.length;
    },
  };
}
