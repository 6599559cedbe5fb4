/**
 * The push of the SQLite store's thread (store-worker.ts): group commit, in chunks.
 *
 * - **Group commit** (issue 12, ingest): the pushes made in one synchronous pass (a round of
 *   the job queue) are committed together, in one transaction with a savepoint per push
 *   (`pushMany`): one commit and one fsync for the round, each push all or nothing.
 * - **Chunks** (issue 12, small lane): while small requests are about (the queue's
 *   `smallActive`: one waits, or one came within the last second, or in the second before
 *   the round's request reached the server), a transaction holds at most
 *   `bounds` (messages, and bytes of message values), a few milliseconds of the one writer's
 *   time. A round with more is committed as several transactions, the pushes in order, a push
 *   split across them where it has to be; between two transactions the queue's `pause` lets
 *   the small requests that arrived run. So a small sync waits for one chunk, not for a 4 MiB
 *   push (50 ms alone, 200 to 500 ms on a busy machine). A push is answered once its last
 *   chunk is committed. Each chunk costs a commit and an fsync (about 0.2 ms of CPU and
 *   2.5 ms of waiting for the disk here), which is why a round with no small request about
 *   is still one transaction: pure ingest keeps its group commit. The first small request
 *   after a quiet second may wait for one whole round, as before chunks, unless it came
 *   while that round was parsed or decoded: a round over the bounds first takes in, with one
 *   pause, what arrived meanwhile.
 *
 * What a chunked push keeps:
 * - Every message is stored exactly once. Each chunk is a transaction (all or nothing, durable
 *   at its commit); a push cut short by a crash stored a prefix of its messages, and its retry
 *   stores the rest: a known (user, hlc) is accepted and not stored again.
 * - Ids increase in commit order, and the ids a push takes are one run: `pause` runs no
 *   request of a user whose push is still being committed (`busy`), so nothing of that user
 *   interleaves, and the push's `maxId - stored` is still the user's greatest id before it
 *   (the sync handler's epoch check relies on that).
 * - A push that fails in a later chunk gets the error (the client retries it, as after any
 *   failed request); what its earlier chunks stored stays, as if the client had sent those
 *   messages in a push of their own.
 */
import type { Message } from 'fieldsync';
import type { PushResult } from 'fieldsync/server';
import { JsonValueMessage } from './push-writer.ts';
import type { PushItem } from './sqlite-server-store.ts';

export interface ChunkBounds {
  /** Messages in one transaction (one message always). */
  readonly messages: number;
  /** Bytes of message values in one transaction (estimated: see `valueSize`). */
  readonly bytes: number;
}

/**
 * About 5 ms of the writer's time alone: a 4 MiB push of 5,000 messages is 8 chunks of 600;
 * the ingest benchmark's round of 8 pushes of 1,000 small messages is 4 transactions.
 */
export const COMMIT_CHUNK: ChunkBounds = { messages: 2000, bytes: 512 * 1024 };

/**
 * A message value's bytes for the bound: its JSON text's length when it came from a parse
 * worker (reading `value` there would parse it), a string's length; any other value counts a
 * little.
 */
function valueSize(m: Message): number {
  if (m instanceof JsonValueMessage) return m.json.length;
  return typeof m.value === 'string' ? m.value.length : 16;
}

/** No bound: the whole round in one transaction. */
const WHOLE: ChunkBounds = { messages: Infinity, bytes: Infinity };

interface Push {
  readonly item: PushItem;
  resolve(result: PushResult): void;
  reject(err: unknown): void;
  /** Messages committed so far. */
  offset: number;
  accepted: number;
  stored: number;
  maxId: number;
  failed: boolean;
}

interface Part {
  readonly push: Push;
  readonly to: number;
}

/** The next transaction: from each push in order, the messages after its offset, up to the bounds. */
function nextChunk(open: readonly Push[], bounds: ChunkBounds): Part[] {
  if (bounds === WHOLE) return open.map((push) => ({ push, to: push.item.messages.length }));
  const parts: Part[] = [];
  let count = 0;
  let bytes = 0;
  for (const push of open) {
    const messages = push.item.messages;
    let to = push.offset;
    while (to < messages.length) {
      const size = valueSize(messages[to] as Message);
      if (count > 0 && (count >= bounds.messages || bytes + size > bounds.bytes)) break;
      count++;
      bytes += size;
      to++;
    }
    if (to > push.offset || messages.length === 0) parts.push({ push, to });
    if (to < messages.length) break; // the chunk is full
  }
  return parts;
}

/** Whether `parts` (one chunk) hold all of `open`. */
const wholeIn = (parts: readonly Part[], open: readonly Push[]): boolean =>
  parts.length === open.length && parts.every(({ push, to }) => to === push.item.messages.length);

export interface PushManyStore {
  pushMany(items: readonly PushItem[]): (PushResult | Error)[];
}

/** What the pushes of a round need from the job queue (job-queue.ts). */
export interface ChunkLane {
  /** Lets the small requests waiting run; `busy`: the users whose pushes are being committed. */
  pause(busy: ReadonlySet<string>): Promise<void>;
  /** Whether small requests are about; if not, a round is one transaction, as without chunks. */
  readonly smallActive: boolean;
}

/**
 * The store's push, batched and chunked: pushes made in one synchronous pass are committed
 * together, in transactions of at most `bounds` while small requests are about (else in one),
 * with `lane.pause(busy)` between two of them.
 */
export function chunkedPush(
  store: PushManyStore,
  lane: ChunkLane,
  bounds: ChunkBounds = COMMIT_CHUNK,
): (userId: string, messages: readonly Message[]) => Promise<PushResult> {
  const pending: Push[] = [];
  const busy = (open: readonly Push[]): Set<string> => new Set(open.map((push) => push.item.userId));
  const flush = async (batch: Push[]): Promise<void> => {
    let open = batch;
    // A round too large for one chunk, with no small request seen: one may have come while the
    // round was parsed or decoded, a stretch of this thread's own time, and still wait unseen
    // in its message port. One pause takes it in (and runs it): then the round is chunked for
    // it, where it would otherwise wait for the whole round. A turn of the event loop, once.
    if (!lane.smallActive && !wholeIn(nextChunk(open, bounds), open)) await lane.pause(busy(open));
    while (open.length > 0) {
      const parts = nextChunk(open, lane.smallActive ? bounds : WHOLE);
      let results: (PushResult | Error)[];
      try {
        results = store.pushMany(parts.map(({ push, to }) => ({
          userId: push.item.userId,
          messages: push.offset === 0 && to === push.item.messages.length ? push.item.messages : push.item.messages.slice(push.offset, to),
        })));
      } catch (err) {
        for (const push of open) push.reject(err); // this commit failed: none of its chunk is stored
        return;
      }
      parts.forEach(({ push, to }, i) => {
        const r = results[i] as PushResult | Error;
        if (r instanceof Error) {
          push.failed = true;
          push.reject(r);
          return;
        }
        push.offset = to;
        push.accepted += r.accepted;
        push.stored += r.stored;
        push.maxId = r.maxId;
        if (to === push.item.messages.length) push.resolve({ accepted: push.accepted, stored: push.stored, maxId: push.maxId });
      });
      open = open.filter((push) => !push.failed && push.offset < push.item.messages.length);
      if (open.length > 0) await lane.pause(busy(open));
    }
  };
  return (userId, messages) => new Promise((resolve, reject) => {
    // The first push of a pass schedules the commit after the pass (a microtask runs once
    // the synchronous code that started the round's jobs is done).
    if (pending.length === 0) {
      queueMicrotask(() => {
        const batch = pending.splice(0);
        // Never rejects on its own; a bug in it must still answer every push.
        flush(batch).catch((err: unknown) => {
          for (const push of batch) push.reject(err);
        });
      });
    }
    pending.push({ item: { userId, messages }, resolve, reject, offset: 0, accepted: 0, stored: 0, maxId: 0, failed: false });
  });
}
