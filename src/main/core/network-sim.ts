/**
 * A simulated slow or lossy network, for watching sync cope with one: the app core gives the
 * sync client's HTTP remote this `fetch`, which adds latency to every request (half before it
 * is sent, half before its answer is read) and drops a share of them (they fail as an
 * unreachable server does, before reaching it). It sits in the core, so it works the same
 * under Electron and in the browser host; the sync panel's "Network" control sets it.
 *
 * The poke stream goes through it too: a dropped connection is retried with backoff, and a
 * stream already open keeps delivering pokes, whose syncs then meet the same conditions.
 */
import type { HttpRemoteOptions } from 'fieldsync';
import type { NetworkConditions } from '../../shared/app-api.ts';

type FetchFn = NonNullable<HttpRemoteOptions['fetch']>;

export const NORMAL_NETWORK: NetworkConditions = { latencyMs: 0, dropRate: 0 };
export const MAX_LATENCY_MS = 10_000;

export interface NetworkSim {
  readonly conditions: NetworkConditions;
  set(conditions: NetworkConditions): void;
  readonly fetch: FetchFn;
}

/** Waits `ms`, or rejects as the request would when `signal` aborts. */
function wait(ms: number, signal: AbortSignal | null | undefined): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function createNetworkSim(base: FetchFn = (url, init) => fetch(url, init), random: () => number = Math.random): NetworkSim {
  let conditions = NORMAL_NETWORK;
  return {
    get conditions() {
      return conditions;
    },
    set(next) {
      conditions = { latencyMs: Math.min(MAX_LATENCY_MS, Math.max(0, Math.round(next.latencyMs))), dropRate: Math.min(1, Math.max(0, next.dropRate)) };
    },
    async fetch(url, init) {
      const { latencyMs, dropRate } = conditions;
      await wait(latencyMs / 2, init?.signal);
      if (dropRate > 0 && random() < dropRate) throw new TypeError('fetch failed: the request was dropped by the simulated network');
      const response = await base(url, init);
      await wait(latencyMs / 2, init?.signal);
      return response;
    },
  };
}
