/**
 * Where a sync request's work happens once its body has arrived: parse, validate, push,
 * pull, answer. Two engines, one contract:
 *
 * - **inline**, for a store given in-process (memory, PostgreSQL, a custom one): small
 *   bodies are handled at once on the event loop; large ones are parsed in the parse pool
 *   and then handled in the heavy lane, one after another.
 * - **threaded**, for the SQLite store the server opens itself: the whole request is
 *   handled off the event loop (stores/store-thread.ts): large bodies are parsed in a parse
 *   worker, everything is stored in the store's own thread, small requests first, and the
 *   answer comes back as JSON text. The event loop only moves bytes.
 */
import { answerBody, type SyncHandler, type SyncOutcome } from 'fieldsync/server';
import type { ReceivedBody } from '../body-reader.ts';
import { LARGE_BODY_BYTES } from '../limits.ts';
import type { Lane } from './admission.ts';
import type { BodyParts } from './body-parts.ts';
import { parseBody } from './parse-body.ts';
import type { ParsePool } from './parse-pool.ts';

/** What the route needs to answer and to log: the outcome's figures, and the answer itself. */
export interface EngineOutcome {
  readonly clientId: string;
  readonly pushed: number;
  readonly stored: number;
  readonly maxId: number;
  readonly pulled: number;
  /** The 200 answer's body, and its media type (fieldsync/server's answerBody). */
  readonly body: string;
  readonly type: string;
}

export interface SyncEngine {
  /**
   * A small body is joined into one buffer; a large one goes to be parsed as it arrived, in
   * parts (body-parts.ts). `arrivedAt`: when the request reached the server
   * (job-queue.ts, `arrivalClock`), which decides whether its push is chunked.
   */
  sync(userId: string, body: ReceivedBody, arrivedAt?: number): Promise<EngineOutcome>;
  /**
   * Why no request can succeed any more (the store's thread stopped, or the disk refused a
   * sync), or null: `/healthz` says so, so that a load balancer stops sending requests here.
   */
  failure(): Error | null;
  close(): Promise<void>;
}

/** The handler's outcome as the route takes it (in the store's and the pull thread's too). */
export const engineOutcome = (o: SyncOutcome): EngineOutcome => {
  const { text, type } = answerBody(o.response);
  return { clientId: o.clientId, pushed: o.pushed, stored: o.stored, maxId: o.maxId, pulled: o.pulled, body: text, type };
};

export function createInlineEngine(o: { handler: SyncHandler; parsePool: ParsePool; lane: Lane; failure?: () => Error | null }): SyncEngine {
  return {
    async sync(userId, body) {
      if (body.length < LARGE_BODY_BYTES) return engineOutcome(await o.handler.validated(userId, parseBody(body.bytes())));
      const parsed = await o.parsePool.parse(body.parts(), userId);
      return engineOutcome(await o.lane.run(() => o.handler.validated(userId, parsed)));
    },
    // A store given in-process answers for itself, request by request; one that can no longer
    // serve says so (the PostgreSQL store, once another process migrated past it: newer-schema.ts).
    failure: () => o.failure?.() ?? null,
    close: () => o.parsePool.close(),
  };
}

/** A store that handles whole requests in its own thread (see stores/store-thread.ts). */
export interface BodyHandlingStore {
  syncBody(userId: string, body: Uint8Array | BodyParts, arrivedAt?: number): Promise<EngineOutcome>;
  failure?(): Error | null;
}

export function isBodyHandlingStore(store: object): store is BodyHandlingStore {
  return typeof (store as { syncBody?: unknown }).syncBody === 'function';
}

export function createThreadedEngine(o: { store: BodyHandlingStore }): SyncEngine {
  return {
    sync: (userId, body, arrivedAt) => o.store.syncBody(userId, body.length < LARGE_BODY_BYTES ? body.bytes() : body.parts(), arrivedAt),
    failure: () => o.store.failure?.() ?? null,
    close: async () => {},
  };
}
