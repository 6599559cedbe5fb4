/**
 * The pull thread: small sync requests that push nothing, answered from a read-only
 * connection of its own, beside the one writer (issue 12, a small sync among max-size pushes).
 *
 * Why: the store's thread is the one writer. Among max-size pushes it is busy for tens of
 * milliseconds at a time (a chunk's commit, a parsed push taken in, a garbage collection of
 * its heap), and a small sync waited in its queue for each. A pull needs no writer: SQLite's
 * WAL gives each reader a snapshot of every commit made before it, however busy the writer
 * is. Here a pull-only sync reads its page, the same code as the store's own pull
 * (sqlite-pull.ts), in one read transaction.
 *
 * Whatever it does not answer goes on to the store's thread, as the bytes that came: a body
 * with messages, and a pull that must renew its user's epoch (a write); and every request if
 * this connection cannot read (it answers only from a snapshot it could take).
 *
 * Durable before it is shown: its answer goes through the WAL's sync thread, like the
 * store's, with the count of write transactions started when its read ended (a counter the
 * store's thread raises before each, commit-reports.ts). What it read was written by one of
 * those, and the answer waits for the sync of its own user's (durable-answers.ts).
 */
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { ProtocolError, createSyncHandler, type ServerStore } from 'fieldsync/server';
import { parseBody } from '../ingest/parse-body.ts';
import { engineOutcome } from '../ingest/sync-engine.ts';
import { sqlitePull, type PullLimits } from './sqlite-pull.ts';
import { newerSchemaCheck } from './sqlite-schema.ts';
import { transactions } from './sqlite-transaction.ts';
import type { StoreAnswer, StoreCall } from './store-worker.ts';
import type { WalSyncReport } from './wal-sync-worker.ts';
import { toWire } from './wire-error.ts';

export interface PullWorkerData {
  /** The database file (a WAL database: the store's thread made it one). */
  readonly file: string;
  readonly limits: PullLimits;
  /** The store's thread: requests this thread does not answer go there, as StoreCalls. */
  readonly storePort: MessagePort;
  /** The WAL's sync thread: answers go there (wal-sync-worker.ts). */
  readonly answerPort: MessagePort;
  /** The count of write transactions started (store-worker.ts's `started`). */
  readonly started: SharedArrayBuffer;
}

/** What the event loop posts: a sync request, or close the connection (before the store's closes). */
export type PullJob =
  | { readonly type: 'sync'; readonly id: number; readonly userId: string; readonly body: Uint8Array }
  | { readonly type: 'close' };

/** What this thread posts to the event loop: a refusal, a follow-on page that failed (for the log), or closed. */
export type PullMessage = StoreAnswer | { readonly type: 'closed' };

/** Thrown by the store below where only the writer can go on. */
class NeedsWriter extends Error {}

const needsWriter = (): never => {
  throw new NeedsWriter('this request writes');
};

const port = parentPort;
if (port) {
  const data = workerData as PullWorkerData;
  const started = new BigInt64Array(data.started);
  let reader: { readonly db: DatabaseSync; readonly handle: ReturnType<typeof createSyncHandler> } | null = null;
  const open = (): NonNullable<typeof reader> => {
    // Read-only: nothing here can write, checkpoint, or delete the WAL when it closes.
    const db = new DatabaseSync(data.file, { readOnly: true });
    db.exec('PRAGMA busy_timeout = 5000');
    const tx = transactions(db);
    const { pull } = sqlitePull(db, data.limits);
    // As the writer's transactions do (sqlite-schema.ts); a newer schema's error goes on to
    // the writer with the request (below), which then answers it, and the server stops serving.
    const checkSchema = newerSchemaCheck(db);
    const store: ServerStore = {
      // One read transaction per page: the page and its user's greatest id from one snapshot.
      pull: (userId, options) => tx.run('deferred', () => {
        checkSchema();
        return pull(userId, options);
      }),
      push: needsWriter,
      renewEpoch: needsWriter,
    };
    const handle = createSyncHandler({
      store,
      // No messages here, so no clock to check; the handler answers with the server's time.
      onPullError: (err) => port.postMessage({ type: 'pull-error', error: toWire(err) } satisfies PullMessage),
    });
    return { db, handle };
  };
  const handOn = (job: PullJob & { type: 'sync' }): void => {
    data.storePort.postMessage({ id: job.id, method: 'syncBody', args: [job.userId, job.body] } satisfies StoreCall, [job.body.buffer as ArrayBuffer]);
  };

  const sync = async (job: PullJob & { type: 'sync' }): Promise<void> => {
    let request: ReturnType<typeof parseBody>;
    try {
      request = parseBody(job.body);
    } catch (err) {
      // A refusal shows no data: straight back.
      port.postMessage({ type: 'answer', id: job.id, ok: false, error: toWire(err) } satisfies PullMessage);
      return;
    }
    if (request.messages.length > 0) return handOn(job);
    try {
      reader ??= open();
      const outcome = engineOutcome(await reader.handle.validated(job.userId, request));
      // Read after the read transactions ended: every commit they saw had raised it.
      const afterStarted = Number(Atomics.load(started, 0));
      data.answerPort.postMessage({ type: 'answered', answer: { type: 'answer', id: job.id, ok: true, value: outcome }, user: job.userId, afterStarted } satisfies WalSyncReport);
    } catch (err) {
      if (err instanceof ProtocolError) port.postMessage({ type: 'answer', id: job.id, ok: false, error: toWire(err) } satisfies PullMessage);
      // The writer renews the epoch; and if this connection could not read (it could not open,
      // the disk failed it), the writer answers, or reports the error as it would have.
      else handOn(job);
    }
  };

  // One at a time, in order: each is a few milliseconds of SQLite at most.
  let queue = Promise.resolve();
  port.on('message', (job: PullJob) => {
    if (job.type === 'close') {
      queue = queue.then(() => {
        reader?.db.close();
        reader = null;
        data.storePort.close();
        data.answerPort.close();
        port.postMessage({ type: 'closed' } satisfies PullMessage);
      });
      return;
    }
    queue = queue.then(() => sync(job));
  });
}
