/**
 * What a request may use once its body has arrived (issue 11 items 2 and 3).
 *
 * - **Admission** bounds the requests being processed, by count, and the large bodies
 *   among them by bytes: over either bound, a request is shed at once with 429 and
 *   `Retry-After`, rather than queued without limit. It is taken after the body is read,
 *   so a slow upload holds none of it. One request is always admitted, however large.
 *   Small bodies (under `largeBytes`) are bounded by count only: however many large bodies
 *   are about, they cannot crowd out small syncs (a small body costs little to hold).
 * - **Reservations** (issue 12, many large pushes at once): a large body with a declared
 *   length takes its bytes before it is read, so that when 128 of them arrive together the
 *   ones beyond the bound are refused unread, instead of all being read and most then shed.
 *   The route gives a reservation back when its body falls behind a healthy pace, so a slow
 *   upload holds it only briefly; a reservation is never a request place (it cannot lock
 *   small requests out), and becomes one once its body has arrived.
 * - **The heavy lane** runs the store work of large requests one after another (or a few at
 *   a time, for a store that works on another machine), each starting in a turn of the
 *   event loop of its own. Between two large pushes the server answers whatever else
 *   arrived: `/healthz`, small syncs, event streams. Large pushes queue; small requests
 *   never wait behind more than the one running.
 */

import { LARGE_BODY_BYTES } from '../limits.ts';

export interface AdmissionLimits {
  /** Requests being processed at once, in all. */
  readonly maxRequests: number;
  /** Bytes of the large bodies being processed or reserved, in all. */
  readonly maxBytes: number;
  /** The size from which a body is large (default LARGE_BODY_BYTES). */
  readonly largeBytes?: number;
}

/** The bytes of a large body, taken before it is read. */
export interface Reservation {
  /** Its body arrived: a request place with these bytes (and its release), or null when every place is taken. */
  admit(): (() => void) | null;
  /** Gives the bytes back (the body failed, or falls behind). Idempotent; a no-op once admitted. */
  cancel(): void;
}

export interface Admission {
  /** A release function when the request may proceed, or null when it must be shed. */
  tryAdmit(bytes: number): (() => void) | null;
  /**
   * Whether a request of `bytes` would be admitted right now, reserving nothing: a body
   * that would only be shed once read is refused before it is read.
   */
  wouldAdmit(bytes: number): boolean;
  /** Takes the bytes of a large body about to be read, or null when they are not there. */
  reserve(bytes: number): Reservation | null;
  readonly requests: number;
  /** Bytes of the large bodies being processed or reserved. */
  readonly bytes: number;
}

export function createAdmission(limits: AdmissionLimits): Admission {
  const largeBytes = limits.largeBytes ?? LARGE_BODY_BYTES;
  let requests = 0;
  let bytes = 0;
  let reserved = 0;
  const countFits = (): boolean => requests < limits.maxRequests;
  // One large body always fits when no other is about.
  const bytesFit = (size: number): boolean => size < largeBytes || (requests === 0 && reserved === 0) || bytes + size <= limits.maxBytes;
  const weigh = (size: number): number => (size < largeBytes ? 0 : size);
  /** A request place, holding `held` bytes (already counted). */
  const place = (held: number): (() => void) => {
    requests++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      requests--;
      bytes -= held;
    };
  };
  return {
    wouldAdmit: (size) => countFits() && bytesFit(size),
    tryAdmit(size) {
      if (!countFits() || !bytesFit(size)) return null;
      bytes += weigh(size);
      return place(weigh(size));
    },
    reserve(size) {
      if (!bytesFit(size)) return null;
      const held = weigh(size);
      bytes += held;
      reserved++;
      let state: 'held' | 'admitted' | 'cancelled' = 'held';
      const drop = (): void => {
        reserved--;
        bytes -= held;
      };
      return {
        admit() {
          if (state !== 'held') return null;
          reserved--;
          if (!countFits()) {
            state = 'cancelled';
            bytes -= held;
            return null;
          }
          state = 'admitted';
          return place(held);
        },
        cancel() {
          if (state !== 'held') return;
          state = 'cancelled';
          drop();
        },
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
