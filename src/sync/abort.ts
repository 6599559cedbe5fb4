/**
 * An AbortController on every runtime. The platform's where there is one; otherwise (QuickJS,
 * the Hermes shell, an embedded engine without WHATWG globals) a minimal one. Without it,
 * every sync threw a bare ReferenceError, even with a remote that never looks at the signal.
 *
 * The core itself only reads `signal.aborted` and listens for `'abort'`. On such a runtime the
 * signal handed to a remote, and by the HTTP remote to the app's `fetch`, is this minimal
 * object rather than a real AbortSignal: a fetch that checks `instanceof AbortSignal` would
 * refuse it, but such a runtime has no fetch of its own, and the app's one goes with it.
 */
import { reportUncaught } from './listeners.ts';

type AbortListener = ((event: { type: 'abort' }) => void) | { handleEvent(event: { type: 'abort' }): void };

/** The part of AbortController that the core uses, and that the fallback has. */
export interface Aborter {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
}

export function abortController(): Aborter {
  return typeof AbortController === 'function' ? new AbortController() : minimalController();
}

function minimalController(): Aborter {
  let listeners: AbortListener[] = [];
  const signal = {
    aborted: false,
    reason: undefined as unknown,
    onabort: null as AbortListener | null,
    addEventListener(type: string, listener: AbortListener | null): void {
      if (type === 'abort' && listener && !listeners.includes(listener)) listeners.push(listener);
    },
    removeEventListener(type: string, listener: AbortListener | null): void {
      if (type === 'abort') listeners = listeners.filter((l) => l !== listener);
    },
    throwIfAborted(): void {
      if (signal.aborted) throw signal.reason;
    },
  };
  return {
    signal: signal as unknown as AbortSignal,
    abort(reason) {
      if (signal.aborted) return;
      signal.aborted = true;
      signal.reason = reason !== undefined ? reason : Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
      const event = { type: 'abort' as const, target: signal };
      // An 'abort' fires once: every listener is a `{ once: true }` one. As with EventTarget,
      // one that throws is reported and the others still run.
      const called = signal.onabort ? [signal.onabort, ...listeners] : listeners;
      listeners = [];
      for (const l of called) {
        try {
          if (typeof l === 'function') l.call(signal, event);
          else l.handleEvent(event);
        } catch (err) {
          reportUncaught(err);
        }
      }
    },
  };
}
