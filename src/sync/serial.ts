/**
 * Runs tasks one at a time, in the order they were queued. The sync client sends every
 * store operation through one queue, so that reading the current winners and committing
 * a batch can never interleave with a local write, even with an asynchronous store.
 */
export class Serial {
  #tail: Promise<unknown> = Promise.resolve();
  #queued = 0;

  /** Runs `task` after every task queued before it. */
  run<T>(task: () => T | Promise<T>): Promise<T> {
    // Fast path: nothing queued and the task finishes synchronously (a synchronous store),
    // so there is nothing to wait for and no microtask hop is needed to keep order.
    if (this.#queued === 0) {
      let result: T | Promise<T>;
      try {
        result = task();
      } catch (err) {
        return Promise.reject(err);
      }
      if (!isPromiseLike(result)) return Promise.resolve(result);
      return this.#track(Promise.resolve(result));
    }
    return this.#track(this.#tail.then(task));
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#queued++;
    const settled = p.then(
      () => {
        this.#queued--;
      },
      () => {
        this.#queued--;
      },
    );
    this.#tail = settled;
    return p;
  }

  /** Resolves once every task queued so far has finished. */
  async drain(): Promise<void> {
    await this.#tail;
  }
}

export function isPromiseLike<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}
