/**
 * What a request may use once its body has arrived (issue 11 items 2 and 3).
 *
 * - **Admission** bounds the requests being processed, by count and by body bytes, across
 *   all users: over either bound, a request is shed at once with 429 and `Retry-After`,
 *   rather than queued without limit. It is taken after the body is read, so a slow
 *   upload holds none of it. One request is always admitted, however large.
 * - **The heavy lane** runs the store work of large requests one after another (or a few at
 *   a time, for a store that works on another machine), each starting in a turn of the
 *   event loop of its own. Between two large pushes the server answers whatever else
 *   arrived: `/healthz`, small syncs, event streams. Large pushes queue; small requests
 *   never wait behind more than the one running.
 */

export interface AdmissionLimits {
  /** Requests being processed at once, in all. */
  readonly maxRequests: number;
  /** Body bytes of the requests being processed, in all. */
  readonly maxBytes: number;
}

export interface Admission {
  /** A release function when the request may proceed, or null when it must be shed. */
  tryAdmit(bytes: number): (() => void) | null;
  /**
   * Whether a request of `bytes` would be admitted right now, reserving nothing: a body
   * that would only be shed once read is refused before it is read.
   */
  wouldAdmit(bytes: number): boolean;
  readonly requests: number;
  readonly bytes: number;
}

export function createAdmission(limits: AdmissionLimits): Admission {
  let requests = 0;
  let bytes = 0;
  const fits = (size: number): boolean => requests < limits.maxRequests && (requests === 0 || bytes + size <= limits.maxBytes);
  return {
    wouldAdmit: fits,
    tryAdmit(size) {
      if (!fits(size)) return null;
      requests++;
      bytes += size;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        requests--;
        bytes -= size;
      };
    },
    get requests() {
      return requests;
    },
    get bytes() {
      return bytes;
    },
  };
}

export interface Lane {
  /** Runs `job` when its turn comes, in a turn of the event loop of its own. */
  run<T>(job: () => Promise<T>): Promise<T>;
  /** Jobs waiting for their turn. */
  readonly waiting: number;
}

export function createLane(concurrency: number): Lane {
  const waiting: (() => void)[] = [];
  let running = 0;
  const next = (): void => {
    if (running >= concurrency || waiting.length === 0) return;
    running++;
    // setImmediate, not a microtask: the event loop polls for I/O before each job.
    setImmediate(waiting.shift() as () => void);
  };
  return {
    run(job) {
      return new Promise((resolve, reject) => {
        waiting.push(() => {
          job().then(resolve, reject).finally(() => {
            running--;
            next();
          });
        });
        next();
      });
    },
    get waiting() {
      return waiting.length;
    },
  };
}
