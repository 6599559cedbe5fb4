/**
 * A Fieldsync server inside the test process: the real sync handler over any server store,
 * reached through the remote contract instead of HTTP. Requests and answers go through JSON
 * as on the wire (requests through `parseSyncBody`, its parse-cost bound included), so
 * nothing is shared by reference, and are asked for and read as the HTTP remote asks for and
 * reads them (columns pages, several per answer). Pokes reach the user's other clients.
 */
import { RemoteError, invalidArgument, reading } from '../errors.ts';
import { optionsError } from '../option-keys.ts';
import type { Poke, SyncRequest, SyncResponse } from '../protocol.ts';
import { ProtocolError, wireRequest } from '../protocol.ts';
import { parseSyncResponse } from '../sync-response.ts';
import type { PokeListener, Remote } from '../remote.ts';
import { createMemoryServerStore } from '../server/memory-server-store.ts';
import type { ServerStore } from '../server/server-store.ts';
import { answerBody, createSyncHandler, type SyncHandler } from '../server/sync-handler.ts';
import { parseSyncBody } from '../server/sync-body.ts';
import { fromLines, isLines, linesOf } from '../answer-lines.ts';

export interface InProcessServerOptions {
  /** Default: an in-memory store with compaction. */
  readonly store?: ServerStore;
  readonly maxDriftMs?: number;
  /** The server's clock. */
  readonly now?: () => number;
}

export interface InProcessServer {
  readonly store: ServerStore;
  readonly handler: SyncHandler;
  /** A remote for one of a user's clients. */
  remote(userId?: string): Remote;
  /** How many sync requests the server has answered (with success or error). */
  readonly requests: number;
}

export function createInProcessServer(options: InProcessServerOptions = {}): InProcessServer {
  // The values are checked where they are used (createSyncHandler); the keys here, where a
  // misspelt one (`maxDrift`) would otherwise be ignored unseen.
  const why = reading('createInProcessServer: reading the options', () => optionsError(options, { store: 0, maxDriftMs: 0, now: 0 } satisfies Record<keyof InProcessServerOptions, 0>));
  if (why !== null) throw invalidArgument(`createInProcessServer: ${why}`);
  const store = options.store ?? createMemoryServerStore();
  const handler = createSyncHandler({
    store,
    ...(options.maxDriftMs !== undefined ? { maxDriftMs: options.maxDriftMs } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const subscribers = new Map<string, Set<{ clientId: string; listener: PokeListener }>>();
  let requests = 0;

  function poke(userId: string, fromClientId: string, poke: Poke): void {
    for (const s of subscribers.get(userId) ?? []) {
      if (s.clientId !== fromClientId) void Promise.resolve().then(() => s.listener.onPoke(poke));
    }
  }

  return {
    store,
    handler,
    get requests() {
      return requests;
    },
    remote(userId = 'user') {
      // The user every request of this remote syncs as: the server's to give, so it is checked here, once.
      if (typeof userId !== 'string' || userId.length === 0) throw invalidArgument('createInProcessServer: remote(userId) takes a non-empty string');
      return {
        async sync(request: SyncRequest): Promise<SyncResponse> {
          requests++;
          try {
            // Asked and read as the HTTP remote does: columns pages, several per answer. Read
            // as a server reads a body, through parseSyncBody: a request too costly to parse
            // is refused (413) here as on the wire (round 63: it was parsed and stored). The
            // text, not bytes: JSON.stringify's is well-formed, and needs no TextEncoder.
            const outcome = await handler.validated(userId, parseSyncBody(JSON.stringify(wireRequest(request))));
            if (outcome.stored > 0) poke(userId, outcome.clientId, { cursor: outcome.maxId });
            // Its body as the reference server writes it, in lines when asked (answer-lines.ts).
            const { text, type } = answerBody(outcome.response);
            return parseSyncResponse(isLines(type) ? fromLines(linesOf(text)) : JSON.parse(text), request.cursor);
          } catch (err) {
            if (!(err instanceof ProtocolError)) throw new RemoteError(500, 'internal', 'internal error');
            const serverTime = err.serverTime === undefined ? undefined : Date.parse(err.serverTime);
            throw new RemoteError(err.status, err.code, err.message, {
              ...(err.index !== undefined ? { index: err.index } : {}),
              ...(serverTime !== undefined ? { serverTime } : {}),
            });
          }
        },
        subscribe(clientId: string, listener: PokeListener) {
          let set = subscribers.get(userId);
          if (!set) subscribers.set(userId, (set = new Set()));
          const entry = { clientId, listener };
          set.add(entry);
          void Promise.resolve().then(() => listener.onOpen?.());
          return () => void set.delete(entry);
        },
      };
    },
  };
}
