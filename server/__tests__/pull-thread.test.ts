/**
 * The SQLite store's pull thread (stores/pull-worker.ts): a pull-only sync is answered from a
 * read-only connection beside the one writer, so it does not wait for the writer, even one
 * stuck on a lock; whatever writes (a push, an epoch to renew) is handed on to the writer;
 * and its answers still go out only once what they show is durable (the WAL's sync thread,
 * with the count of write transactions started when the read ended).
 */
import { join } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { PullJob, PullMessage, PullWorkerData } from '../stores/pull-worker.ts';
import { createSqliteServerStore, pullLimits } from '../stores/sqlite-server-store.ts';
import { openSqliteStoreThread, type ThreadedStore } from '../stores/store-thread.ts';
import type { StoreCall } from '../stores/store-worker.ts';
import type { WalSyncReport } from '../stores/wal-sync-worker.ts';
import type { EngineOutcome } from '../ingest/sync-engine.ts';
import { msg } from './helpers/test-server.ts';
import { tempDir } from './helpers/temp-dir.ts';

type TempDir = ReturnType<typeof tempDir>;

const bytes = (body: unknown): Uint8Array => new Uint8Array(Buffer.from(JSON.stringify(body)));
const answerOf = (o: EngineOutcome): Record<string, unknown> => JSON.parse(o.body) as Record<string, unknown>;

/** Another connection takes the write lock, in a thread of its own, until `release`. */
async function holdWriteLock(file: string): Promise<{ release(): Promise<void> }> {
  const worker = new Worker(`
    const { parentPort, workerData } = require('node:worker_threads');
    const { DatabaseSync } = require('node:sqlite');
    const db = new DatabaseSync(workerData.file);
    db.exec('BEGIN IMMEDIATE');
    parentPort.postMessage('locked');
    parentPort.once('message', () => { db.exec('ROLLBACK'); db.close(); parentPort.postMessage('released'); });
  `, { eval: true, workerData: { file } });
  await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    async release() {
      const released = new Promise((resolve) => worker.once('message', resolve));
      worker.postMessage('release');
      await released;
      await worker.terminate();
    },
  };
}

describe('the pull thread, in the SQLite store thread', () => {
  let dir: TempDir | null = null;
  let store: ThreadedStore | null = null;
  afterEach(async () => {
    await store?.close();
    store = null;
    dir?.remove();
    dir = null;
  });
  /** `walFile`: the WAL file its sync thread syncs, in the temporary folder given. */
  const open = async (walFile?: (path: string) => string, pullThread?: boolean): Promise<ThreadedStore> => {
    dir = tempDir();
    store = await openSqliteStoreThread({
      store: { file: join(dir.path, 'db.sqlite') }, maxDriftMs: 60_000, parseWorkers: 0,
      ...(walFile ? { walFile: walFile(dir.path) } : {}), ...(pullThread !== undefined ? { pullThread } : {}),
    });
    return store;
  };

  it('answers a pull-only sync while the writer waits for a lock, and the push that waits gets it after', async () => {
    const s = await open();
    const pushed = await s.syncBody('alice', bytes({ clientId: 'A', cursor: 0, messages: [msg('A', 'a1', 'hi')] }));
    expect(pushed.stored).toBe(1); // a small push: handed on to the writer
    const lock = await holdWriteLock(join((dir as TempDir).path, 'db.sqlite'));
    const order: string[] = [];
    // The writer is stuck in its busy wait (up to 5 s) with this push.
    const bob = s.syncBody('bob', bytes({ clientId: 'B', cursor: 0, messages: [msg('B', 'b1', 'hey')] })).then((o) => (order.push('bob'), o));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const pulled = await s.syncBody('alice', bytes({ clientId: 'A2', cursor: 0 }));
    order.push('alice pulled');
    expect(answerOf(pulled)).toMatchObject({ cursor: 1, more: false, messages: [{ id: 1, row: 'a1', value: 'hi' }] });
    await lock.release();
    expect((await bob).stored).toBe(1);
    expect(order).toEqual(['alice pulled', 'bob']);
  });

  it('turned off (`--pull-thread off`), a pull-only sync is the writer\'s: it waits for the push stuck on a lock', async () => {
    const s = await open(undefined, false);
    expect((await s.syncBody('alice', bytes({ clientId: 'A', cursor: 0, messages: [msg('A', 'a1', 'hi')] }))).stored).toBe(1);
    const lock = await holdWriteLock(join((dir as TempDir).path, 'db.sqlite'));
    const order: string[] = [];
    const bob = s.syncBody('bob', bytes({ clientId: 'B', cursor: 0, messages: [msg('B', 'b1', 'hey')] })).then((o) => (order.push('bob'), o));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const pulled = s.syncBody('alice', bytes({ clientId: 'A2', cursor: 0 })).then((o) => (order.push('alice pulled'), o));
    // With the pull thread, alice's pull is answered by now (the test above); without it, it waits in the writer's queue.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(order).toEqual([]);
    await lock.release();
    expect((await bob).stored).toBe(1);
    expect(answerOf(await pulled)).toMatchObject({ cursor: 1, more: false, messages: [{ id: 1, row: 'a1', value: 'hi' }] });
  });

  it('hands on a pull that must renew its user’s epoch (a write) to the writer', async () => {
    const s = await open();
    const first = answerOf(await s.syncBody('carol', bytes({ clientId: 'C', cursor: 0, messages: [msg('C', 'c1', 'x')] })));
    // A cursor beyond the user's greatest id: the database was restored from a backup.
    const renewed = answerOf(await s.syncBody('carol', bytes({ clientId: 'C2', cursor: 50, epoch: first.epoch })));
    expect(renewed.epoch).not.toBe(first.epoch);
    expect(typeof renewed.epoch).toBe('string');
    // And a refusal comes straight back, with its protocol error.
    await expect(s.syncBody('carol', bytes({ clientId: '', cursor: 0 }))).rejects.toMatchObject({ name: 'ProtocolError', code: 'invalid_request' });
  });

  it('holds the answer of a pull whose user has a write under way when it read until that write is durable', async () => {
    const s = await open();
    await s.syncBody('dave', bytes({ clientId: 'D', cursor: 0, messages: [msg('D', 'd1', 'one')] }));
    const lock = await holdWriteLock(join((dir as TempDir).path, 'db.sqlite'));
    let released = false;
    // The writer starts this push (and says so) but waits for the lock. The pull thread hands
    // it on before it reads the pull below (one request at a time, in order); the wait gives
    // the writer, an idle thread, ample time to take it first.
    const push = s.syncBody('dave', bytes({ clientId: 'D', cursor: 1, messages: [msg('D', 'd2', 'two')] }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const pull = s.syncBody('dave', bytes({ clientId: 'D2', cursor: 0 })).then((o) => ({ o, released }));
    // Another user's pull is not held by it.
    expect(answerOf(await s.syncBody('erin', bytes({ clientId: 'E', cursor: 0 })))).toMatchObject({ messages: [] });
    await new Promise((resolve) => setTimeout(resolve, 100));
    released = true;
    await lock.release();
    const got = await pull;
    expect(got.released).toBe(true);
    // Its read came first: it shows the message before that push, and the push's answer follows.
    expect(answerOf(got.o)).toMatchObject({ messages: [{ row: 'd1' }] });
    expect((await push).stored).toBe(1);
  });
});

describe('the pull worker alone', () => {
  let dir: TempDir | null = null;
  let worker: Worker | null = null;
  afterEach(async () => {
    await worker?.terminate();
    worker = null;
    dir?.remove();
    dir = null;
  });

  it('tells the WAL’s sync thread how many write transactions had started when its read ended, hands pushes on, and refuses bad bodies itself', async () => {
    dir = tempDir();
    const file = join(dir.path, 'db.sqlite');
    const writer = createSqliteServerStore({ file });
    writer.push('u', [msg('A', 'r1', 'v1')]);
    const started = new SharedArrayBuffer(8);
    new BigInt64Array(started)[0] = 7n;
    const toStore = new MessageChannel();
    const toWal = new MessageChannel();
    worker = new Worker(new URL('../stores/pull-worker.ts', import.meta.url), {
      workerData: { file, limits: pullLimits({}), storePort: toStore.port1, answerPort: toWal.port1, started } satisfies PullWorkerData,
      transferList: [toStore.port1, toWal.port1],
    });
    const next = <T>(port: { once(e: 'message', f: (m: T) => void): unknown }) => new Promise<T>((resolve) => port.once('message', resolve));
    try {
      const atWal = next<WalSyncReport>(toWal.port2);
      worker.postMessage({ type: 'sync', id: 1, userId: 'u', body: bytes({ clientId: 'B', cursor: 0 }) } satisfies PullJob);
      const report = await atWal;
      expect(report).toMatchObject({ type: 'answered', user: 'u', afterStarted: 7, answer: { type: 'answer', id: 1, ok: true } });
      expect(JSON.parse((report as { answer: { value: EngineOutcome } }).answer.value.body)).toMatchObject({ messages: [{ id: 1, value: 'v1' }] });

      const atStore = next<StoreCall>(toStore.port2);
      const push = bytes({ clientId: 'B', cursor: 0, messages: [msg('B', 'r2', 'v2')] });
      worker.postMessage({ type: 'sync', id: 2, userId: 'u', body: push } satisfies PullJob);
      const call = await atStore;
      expect(call).toMatchObject({ id: 2, method: 'syncBody', args: ['u', expect.any(Uint8Array)] });
      expect(Buffer.from(call.args[1] as Uint8Array).toString()).toContain('"r2"');

      const back = next<PullMessage>(worker);
      worker.postMessage({ type: 'sync', id: 3, userId: 'u', body: bytes('not a request') } satisfies PullJob);
      expect(await back).toMatchObject({ type: 'answer', id: 3, ok: false, error: { name: 'ProtocolError', code: 'invalid_request' } });
    } finally {
      writer.close();
      toStore.port2.close();
      toWal.port2.close();
    }
  });
});
