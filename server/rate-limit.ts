/**
 * Load shedding: a bound on the sync requests in flight, in all and per user. A request
 * over either bound is refused at once with 429 `rate_limited` and `Retry-After`, before its
 * body is read, instead of queueing work (and request bodies in memory) without limit.
 */

export interface InflightLimits {
  /** Requests in flight in all. */
  readonly max: number;
  /** Requests in flight for one user. */
  readonly maxPerUser: number;
}

export interface InflightLimiter {
  /** A release function when the request may proceed, or null when it must be refused. */
  tryAcquire(userId: string): (() => void) | null;
  readonly inflight: number;
}

export function createInflightLimiter(limits: InflightLimits): InflightLimiter {
  let total = 0;
  const perUser = new Map<string, number>();
  return {
    tryAcquire(userId) {
      const mine = perUser.get(userId) ?? 0;
      if (total >= limits.max || mine >= limits.maxPerUser) return null;
      total++;
      perUser.set(userId, mine + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        total--;
        const left = (perUser.get(userId) ?? 1) - 1;
        if (left <= 0) perUser.delete(userId);
        else perUser.set(userId, left);
      };
    },
    get inflight() {
      return total;
    },
  };
}
