/**
 * A log line that anyone can cause (a refused WebSocket upgrade, say) must not let them
 * fill the log: at most `burst` lines per `windowMs`, then one line that says how many were
 * left out, when the window ends.
 */

export interface ThrottledLog {
  (message: string): void;
  /** Writes the count of lines left out, if any, now. */
  flush(): void;
}

export function throttleLog(
  log: (message: string) => void,
  options: { readonly burst: number; readonly windowMs: number; readonly what: string; readonly now?: () => number },
): ThrottledLog {
  const now = options.now ?? Date.now;
  let windowStart = -Infinity;
  let written = 0;
  let dropped = 0;
  const flush = (): void => {
    if (dropped > 0) log(`… and ${dropped} more ${options.what} in the last ${Math.round(options.windowMs / 1000)} s`);
    dropped = 0;
  };
  const throttled = (message: string): void => {
    const t = now();
    if (t - windowStart >= options.windowMs) {
      flush();
      windowStart = t;
      written = 0;
    }
    if (written < options.burst) {
      written++;
      log(message);
    } else {
      dropped++;
    }
  };
  return Object.assign(throttled, { flush });
}
