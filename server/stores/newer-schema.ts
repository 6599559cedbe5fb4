/**
 * A database that a newer process migrated while this one ran (round 63): a rolling upgrade
 * where an old process was left beside the upgraded ones. Both stores check the schema version
 * when they open; from then on they check it again where it costs no round trip of its own
 * (SQLite: a page already read, inside each transaction; PostgreSQL: a subquery of the push's
 * lock and of the pull, and after a statement that failed on a table or column it did not
 * find). Once seen, the store refuses everything with this error, without touching the
 * database again: the server answers 503 `unavailable` with Retry-After (its clients go on
 * against the upgraded processes), /healthz answers 503, and one warning names both versions.
 */
export const NEWER_SCHEMA_CODE = 'FIELDSYNC_NEWER_SCHEMA';

export class NewerSchemaError extends Error {
  readonly code = NEWER_SCHEMA_CODE;
  constructor(found: number, known: number) {
    super(
      `the database has schema version ${found}, newer than this server knows (${known}): another process upgraded it while this one ran; this process answers every request 503 from now on (stop it, or upgrade it)`,
    );
    this.name = 'NewerSchemaError';
  }
}

/** Whether `err` is a NewerSchemaError, or one that crossed a thread (its code survives: wire-error.ts). */
export const isNewerSchema = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === NEWER_SCHEMA_CODE;

/** Told once, with the error, when a store first meets a newer schema. */
export type NewerSchemaListener = (err: Error) => void;

/**
 * The store's side of the latch, for whoever must act on it (newer-schema-exit.ts, an
 * embedder's `onNewerSchema`): each listener is told once, when the latch is set, or at once
 * if it already was. Pushed, not polled, so nothing runs while the store is healthy and a
 * grace counts from the moment of latching. A listener that throws is not the store's
 * problem: the others are still told, and the request that latched still gets its 503.
 */
export function createNewerSchemaLatch(): {
  readonly error: () => Error | null;
  set(err: Error): void;
  onNewerSchema(listener: NewerSchemaListener): () => void;
} {
  let latched: Error | null = null;
  const listeners = new Set<NewerSchemaListener>();
  const tell = (listener: NewerSchemaListener, err: Error): void => {
    try {
      listener(err);
    } catch (e) {
      // Not the request's error (it still gets its 503), and not a crash: a warning of its own.
      process.emitWarning(`an onNewerSchema listener threw: ${String(e)}`);
    }
  };
  return {
    error: () => latched,
    set(err) {
      if (latched !== null) return;
      latched = err;
      for (const listener of listeners) tell(listener, err);
      listeners.clear();
    },
    onNewerSchema(listener) {
      if (typeof listener !== 'function') throw new TypeError('onNewerSchema: listener must be a function');
      if (latched !== null) {
        tell(listener, latched);
        return () => undefined;
      }
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
