/**
 * Handlers whose identity never changes but which always run the latest render's code: what a
 * memoised row (`React.memo`) needs, so that a list can pass the same functions to every row
 * on every render and a row re-renders only when its own data changes.
 */
import { useLayoutEffect, useRef, useState } from 'react';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any handler signature
type Handlers = Record<string, (...args: any[]) => unknown>;

/** The set of keys is taken from the first render; only the functions behind them change. */
export function useStableHandlers<T extends Handlers>(handlers: T): T {
  const latest = useRef(handlers);
  // Before any event handler or effect of the render that passed them can run.
  useLayoutEffect(() => {
    latest.current = handlers;
  });
  const [stable] = useState(() => {
    const out: Handlers = {};
    for (const name of Object.keys(handlers)) out[name] = (...args) => latest.current[name]?.(...args);
    return out as T;
  });
  return stable;
}
