/** Small helpers shared by the sync client's tests. */
import { createMemoryStore, type MemoryStore } from '../../memory-store.ts';
import type { PokeListener, Remote } from '../../remote.ts';
import type { SyncRequest, SyncResponse } from '../../protocol.ts';
import { defineSchema } from '../../schema.ts';
import type { SyncStore } from '../../store.ts';
import { createInProcessServer, type InProcessServer } from '../../testing/in-process-server.ts';

export const schema = defineSchema({
  version: 1,
  tables: {
    todos: { title: { type: 'string', maxLength: 200 }, done: 'boolean', rank: 'integer' },
    lists: { name: 'string' },
  },
});

export const T0 = Date.UTC(2026, 10, 24, 15, 0, 0);

/**
 * A remote that forwards to an in-process server unless a test intercepts the request. It
 * records requests, counts syncs in flight (to prove they never overlap), and lets a test
 * deliver pokes.
 */
export class ScriptedRemote implements Remote {
  readonly server: InProcessServer;
  readonly inner: Remote;
  readonly requests: SyncRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** Return a response or throw to intercept a request; return undefined to pass it on. */
  intercept: ((req: SyncRequest, n: number) => SyncResponse | undefined | Promise<SyncResponse | undefined>) | null = null;
  listener: PokeListener | null = null;
  unsubscribed = 0;

  constructor(server: InProcessServer = createInProcessServer(), userId = 'user') {
    this.server = server;
    this.inner = server.remote(userId);
  }

  async sync(request: SyncRequest): Promise<SyncResponse> {
    this.requests.push(request);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await Promise.resolve();
      const answer = await this.intercept?.(request, this.requests.length);
      return answer ?? (await this.inner.sync(request));
    } finally {
      this.inFlight--;
    }
  }

  subscribe(_clientId: string, listener: PokeListener): () => void {
    this.listener = listener;
    return () => {
      this.unsubscribed++;
      this.listener = null;
    };
  }
}

/**
 * Wraps a store so that every function answers asynchronously, like IndexedDB would, each
 * after `delayMs()` (random delays make overlapping calls finish in any order).
 */
export function asyncStore(inner: SyncStore, delayMs: () => number = () => 0): SyncStore {
  const later = <T>(fn: () => T | Promise<T>): Promise<T> => new Promise((resolve, reject) => {
    setTimeout(() => {
      Promise.resolve().then(fn).then(resolve, reject);
    }, delayMs());
  });
  return {
    open: (s) => later(() => inner.open(s)),
    winners: (cells) => later(() => inner.winners(cells)),
    messages: (q) => later(() => inner.messages(q)),
    commit: (c) => later(() => inner.commit(c)),
    close: () => later(() => inner.close?.()),
  };
}

/**
 * An asynchronous store without transact() whose next commit, once `hangNext()` was called,
 * waits until `letGo()`; `hangNext()` resolves when that commit is under way.
 */
export function hangingStore(): { store: SyncStore; hangNext(): Promise<void>; letGo(): void } {
  const inner = memory();
  let hang: (() => void) | null = null;
  let release = (): void => {};
  const store: SyncStore = {
    open: async (s) => inner.open(s),
    winners: async (cells) => inner.winners(cells),
    messages: async (q) => inner.messages(q),
    commit: async (c) => {
      const committing = hang;
      hang = null;
      if (committing) {
        committing();
        await new Promise<void>((resolve) => (release = resolve));
      }
      return inner.commit(c);
    },
  };
  return { store, hangNext: () => new Promise<void>((resolve) => (hang = resolve)), letGo: () => release() };
}

export function memory(): MemoryStore {
  return createMemoryStore();
}

/** Waits until `predicate` holds, polling on real timers. */
export async function until(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 5));
  }
}
