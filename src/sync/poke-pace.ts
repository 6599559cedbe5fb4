/**
 * The pace of the syncs that pokes ask for (round 65). A poke is a hint from the server,
 * which the client cannot check before it syncs: a hostile or buggy server that pokes as fast
 * as it can (each poke announcing a cursor it never serves) made the client sync back to back
 * for as long as the flood lasted, a request as soon as the last one ended, and with it the
 * device's battery and the server's capacity. A poke is "borne out" when the run that answers
 * it succeeds and reaches the cursor it announced. Each poke that is not adds a strike, and
 * while there are strikes, a poke's sync waits out a backoff (the client's `retry` delays)
 * counted from the last strike; one borne out clears them. A poke after a quiet period longer
 * than the current delay syncs at once, as any poke from an honest server does.
 */
import { backoffMs } from './backoff.ts';

export interface PokePace {
  /** A poke announced `cursor` (beyond the client's own). */
  announce(cursor: number): void;
  /** What the pokes so far announced, taken by the run that starts now (0: none). */
  take(): number;
  /** Whether a poke is still announced beyond `cursor`. */
  ahead(cursor: number): boolean;
  /** A run ended: was what it took (`promised`) borne out? */
  judge(promised: number, synced: boolean, cursor: number): void;
  /** How long a poke's sync waits from now (0: at once). */
  waitMs(): number;
}

export function createPokePace(o: { now: () => number; random: () => number; retry: { initialMs?: number; maxMs?: number } }): PokePace {
  let announced = 0;
  let strikes = 0;
  let quietFrom = 0;
  let delay = 0;
  return {
    announce(cursor) {
      if (cursor > announced) announced = cursor;
    },
    take() {
      const taken = announced;
      announced = 0;
      return taken;
    },
    ahead(cursor) {
      if (announced <= cursor) announced = 0;
      return announced > 0;
    },
    judge(promised, synced, cursor) {
      if (promised === 0) return;
      if (synced && cursor >= promised) {
        strikes = 0;
        return;
      }
      delay = backoffMs(strikes++, { ...o.retry, random: o.random });
      quietFrom = o.now();
    },
    waitMs() {
      if (strikes === 0) return 0;
      // Never longer than the delay itself: an app's clock set back would make it any length.
      return Math.max(0, Math.min(delay, quietFrom + delay - o.now()));
    },
  };
}
