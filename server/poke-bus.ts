/**
 * The poke bus: how a stored push reaches the event streams of the user's other clients.
 * This in-process bus serves a single server process; a bus over PostgreSQL LISTEN/NOTIFY
 * (for several processes on one database) implements the same interface.
 */

export interface PokeEvent {
  /** The client whose push was stored: its own streams are not poked. */
  readonly fromClientId: string;
  /** The user's greatest id after the push. */
  readonly cursor: number;
}

export type PokeListener = (event: PokeEvent) => void;

export interface PokeBus {
  /** Announces that messages of `fromClientId` were stored for `userId`. Never throws. */
  publish(userId: string, fromClientId: string, cursor: number): void;
  /** Listens to a user's pokes; returns the function that stops listening. */
  subscribe(userId: string, listener: PokeListener): () => void;
  /** Releases the bus (a database connection, for instance). */
  close?(): void | Promise<void>;
}

export function createInProcessPokeBus(options: { onListenerError?: (err: unknown) => void } = {}): PokeBus & { listenerCount(userId?: string): number } {
  const listeners = new Map<string, Set<PokeListener>>();
  return {
    publish(userId, fromClientId, cursor) {
      const set = listeners.get(userId);
      if (!set) return;
      const event: PokeEvent = { fromClientId, cursor };
      for (const listener of [...set]) {
        try {
          listener(event);
        } catch (err) {
          options.onListenerError?.(err);
        }
      }
    },
    subscribe(userId, listener) {
      const set = listeners.get(userId) ?? new Set<PokeListener>();
      listeners.set(userId, set);
      const entry: PokeListener = (e) => listener(e); // a distinct entry per subscription
      set.add(entry);
      return () => {
        set.delete(entry);
        if (set.size === 0 && listeners.get(userId) === set) listeners.delete(userId);
      };
    },
    listenerCount(userId) {
      if (userId !== undefined) return listeners.get(userId)?.size ?? 0;
      let n = 0;
      for (const s of listeners.values()) n += s.size;
      return n;
    },
  };
}
