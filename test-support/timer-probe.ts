/**
 * Which timers one module armed, for how long, and which of them fired (round 68): a test that
 * asserted a measured duration ("the place came back after more than 2 s", "the process exited
 * 5 s after SIGTERM") now asserts the timer behind it instead: the one that fired was armed for
 * the bound the code is meant to wait. A measured duration says little more (a timer never fires
 * early) and is a timed assertion; this is a count and a number the code computed.
 *
 * The global `setTimeout` is wrapped while the probe is installed; a timer is the module's when
 * the module is the caller (the frame above this wrapper in the stack), so a test's own timers,
 * Fastify's or vitest's are passed through untouched. `exit-probe.ts` uses it in a child process.
 */

export interface ProbedTimer {
  /** The delay the module asked for, in ms. */
  readonly ms: number;
  /** Its callback has run. */
  fired: boolean;
}

export interface TimerProbe {
  /** Every timer the module armed since the probe was installed, in order. */
  readonly armed: readonly ProbedTimer[];
  /** The ones that fired, in the order they fired. */
  readonly fired: readonly ProbedTimer[];
  /** The timer whose callback is running now, if any (a `process.exit` inside it, say). */
  running(): ProbedTimer | undefined;
  /** Puts the global `setTimeout` back. */
  restore(): void;
}

/** The file of the function that called the wrapper, from a stack trace's third line. */
function callerFile(stack: string | undefined): string {
  return stack?.split('\n')[2] ?? '';
}

/** Records the timers armed by the module whose path ends with `file` (say `server/body-reader.ts`). */
export function probeTimers(file: string): TimerProbe {
  const original = globalThis.setTimeout;
  // The overloads of setTimeout, as one signature the wrapper can pass its arguments on to.
  const call = original as unknown as (this: unknown, ...a: unknown[]) => ReturnType<typeof setTimeout>;
  const armed: ProbedTimer[] = [];
  const fired: ProbedTimer[] = [];
  let running: ProbedTimer | undefined;
  const wrapped = function (this: unknown, callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) {
    if (typeof callback !== 'function' || !callerFile(new Error().stack).includes(file)) {
      return call.call(this, callback, ms, ...args);
    }
    const timer: ProbedTimer = { ms: Number(ms ?? 0), fired: false };
    armed.push(timer);
    return call.call(this, (...a: unknown[]) => {
      timer.fired = true;
      fired.push(timer);
      running = timer;
      try {
        callback(...a);
      } finally {
        running = undefined;
      }
    }, ms, ...args);
  };
  globalThis.setTimeout = Object.assign(wrapped, original) as typeof setTimeout;
  return {
    armed,
    fired,
    running: () => running,
    restore: () => {
      globalThis.setTimeout = original;
    },
  };
}
