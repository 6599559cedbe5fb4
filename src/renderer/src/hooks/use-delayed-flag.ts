import { useEffect, useState } from 'react';

/**
 * `on`, but only once it has stayed on for `delayMs`; off at once. A state that lasts a few
 * milliseconds (a save, a sync round) then never shows: no flicker, nothing to announce.
 */
export function useDelayedFlag(on: boolean, delayMs: number): boolean {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (!on) return;
    const timer = setTimeout(() => setShown(true), delayMs);
    return () => {
      clearTimeout(timer);
      setShown(false);
    };
  }, [on, delayMs]);
  return on && shown;
}
