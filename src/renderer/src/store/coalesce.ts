/**
 * Runs `fn` once after a burst of requests: a remote sync can deliver dozens of data events
 * in a few milliseconds, and each would otherwise re-query every list and todo.
 */
export interface Coalescer {
  schedule(): void;
  cancel(): void;
}

export function coalesce(fn: () => void, delayMs: number): Coalescer {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    schedule() {
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        fn();
      }, delayMs);
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
