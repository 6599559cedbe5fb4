/**
 * Runs tasks one at a time, in the order they were queued. The sync client sends every
 * store operation through one queue, so that reading the current winners and committing
 * a batch can never interleave with a local write, even with an asynchronous store.
 *
 * A closure rather than a class: its state is local variables, which a minifier shortens
 * (private fields stay `this.#x`), and the client's bundle is what apps ship.
 */
export interface Serial {
  /** Runs `task` after every task queued before it. */
  run<T>(task: () => T | Promise<T>): Promise<T>;
  /** Resolves once every task queued so far has finished. */
  drain(): Promise<void>;
}

export function createSerial(): Serial {
  let tail: Promise<unknown> = Promise.resolve();
  let queued = 0;
  // While a task runs at once (the fast path below), one queued from inside it (a listener's
  // write, called as a synchronous store's write emits its event) waits for it, as any other.
  // It ran nested (round 55): the listeners after that one heard the second write first, and
  // one marking itself done after its write was called again inside it, until the stack
  // overflowed. (An asynchronous store's write emits from a later microtask, queued by then.)
  let running = false;
  const settled = (): void => {
    queued--;
  };
  const track = <T>(p: Promise<T>): Promise<T> => {
    queued++;
    tail = p.then(settled, settled);
    return p;
  };
  return {
    run<T>(task: () => T | Promise<T>): Promise<T> {
      // Fast path: nothing queued and the task finishes synchronously (a synchronous store),
      // so there is nothing to wait for and no microtask hop is needed to keep order.
      if (queued === 0 && !running) {
        let result: T | Promise<T>;
        running = true;
        try {
          result = task();
        } catch (err) {
          return Promise.reject(err);
        } finally {
          running = false;
        }
        return isPromiseLike(result) ? track(Promise.resolve(result)) : Promise.resolve(result);
      }
      return track(tail.then(task));
    },
    async drain() {
      await tail;
    },
  };
}

export function isPromiseLike<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}
