/**
 * Large bodies waiting for a parse worker, in turns per user (round 61, security review).
 * JSON.parse costs about a microsecond per array or object, not per byte, so one 4 MiB body
 * could hold a parse worker for seconds while being a valid push (empty arrays in its values;
 * since round 62 a body of more than 65,536 arrays and objects (and members, round 63) is
 * refused unparsed, src/sync/server/container-bound.ts, so one costs milliseconds, and a
 * backlog of them still adds up).
 * With one queue for all users, one user's backlog of such bodies sat ahead of everyone
 * else's: four of them held another user's 1.2 MB push for 28 s. Here each user has a queue
 * of their own, and the next body is the first of the user served longest ago (one never
 * served, or whose queue had emptied, first; ties in the order they came): a body waits for
 * at most one body of each other user, whatever their backlog. One user's bodies keep their
 * order. O(users waiting) a take, nothing a byte.
 *
 * A user whose queue empties keeps their last turn for a while (`IDLE_KEPT` users): a body
 * handed to a worker as soon as it came, then a second one, must not count as never served,
 * or a backlog that empties once a body would tie with, and go before, a newcomer.
 */
export interface FairQueue<T> {
  push(user: string, item: T): void;
  /** The item `shift` would take, or undefined. */
  peek(): T | undefined;
  shift(): T | undefined;
  /** Takes everything waiting, in no particular order (closing). */
  drain(): T[];
  readonly length: number;
}

interface Lane<T> {
  readonly items: T[];
  /** When this user was last served (a count of takes); -1: never, or too long ago to be kept. */
  served: number;
}

/** Users whose last turn is kept once their queue is empty; beyond, the oldest turn goes. */
const IDLE_KEPT = 1024;

export function createFairQueue<T>(): FairQueue<T> {
  const lanes = new Map<string, Lane<T>>();
  const idle = new Map<string, number>();
  let takes = 0;
  let length = 0;
  const next = (): [string, Lane<T>] | undefined => {
    let best: [string, Lane<T>] | undefined;
    // Map order is insertion order: on a tie, the user whose queue filled first.
    for (const entry of lanes) if (best === undefined || entry[1].served < best[1].served) best = entry;
    return best;
  };
  return {
    push(user, item) {
      const lane = lanes.get(user);
      if (lane) lane.items.push(item);
      else {
        lanes.set(user, { items: [item], served: idle.get(user) ?? -1 });
        idle.delete(user);
      }
      length++;
    },
    peek: () => next()?.[1].items[0],
    shift() {
      const found = next();
      if (!found) return undefined;
      const [user, lane] = found;
      const item = lane.items.shift() as T;
      length--;
      lane.served = takes++;
      if (lane.items.length === 0) {
        lanes.delete(user);
        idle.set(user, lane.served);
        // Bounded: in the order they went idle, so the turn dropped is the one longest ago.
        if (idle.size > IDLE_KEPT) idle.delete(idle.keys().next().value as string);
      }
      return item;
    },
    drain() {
      const all = [...lanes.values()].flatMap((lane) => lane.items);
      lanes.clear();
      idle.clear();
      length = 0;
      return all;
    },
    get length() {
      return length;
    },
  };
}
