/**
 * Calling the app's code from the client's own work, and the exceptions nobody waits for.
 *
 * A listener runs in the middle of what emitted its event: a local write just committed, a
 * pulled page, a sync that ended. Its exception must change none of that, nor keep the
 * listeners after it from hearing the event: each is called on its own. Nor may it be lost:
 * it is reported the way the runtime reports any uncaught exception, with `reportError`
 * where there is one (browsers, Deno, Bun: the `error` event and the console), otherwise
 * thrown again from a timer of its own (Node: `uncaughtException`; React Native: its global
 * error handler). That is what the DOM's EventTarget and Node's EventTarget do with a
 * throwing listener, and RxJS with an error no one handles: a bug in a listener shows up
 * where the app's other uncaught errors do, once, and nowhere else. An `'error'` event
 * instead would lose exactly the errors of apps that did not think to listen to it.
 */

export type Listener<T> = (value: T) => void;

/** Reports an exception that no caller can receive, as the runtime reports an uncaught one. */
export function reportUncaught(err: unknown): void {
  const report = (globalThis as { reportError?: (err: unknown) => void }).reportError;
  if (typeof report === 'function') report(err);
  else {
    setTimeout(() => {
      throw err;
    });
  }
}

/**
 * Calls every listener with `value`, each on its own: one that throws is reported, and the rest
 * still run. Those that listen as it starts, as EventTarget does: a Set iterated live visits
 * what is added meanwhile, so a listener that unsubscribed and subscribed itself again (a
 * component re-rendering as it handles the event) was called again and again, and the write
 * that emitted never returned. One unsubscribed meanwhile is not called.
 */
export function emit<T>(listeners: ReadonlySet<Listener<T>>, value: T): void {
  for (const listener of [...listeners]) {
    if (!listeners.has(listener)) continue;
    try {
      listener(value);
    } catch (err) {
      reportUncaught(err);
    }
  }
}
