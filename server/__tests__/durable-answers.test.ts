/**
 * The SQLite store's answers wait for the WAL's sync (durable-answers.ts, wal-sync-worker.ts):
 * an answer is handed on only after a sync that started after every commit reported before
 * it, and a failed sync lets no answer through again. The rule alone with a manual
 * scheduler, then the worker itself on a real file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { formatHlc } from 'fieldsync/server';
import { reportingCommits } from '../stores/commit-reports.ts';
import { createDurableAnswers } from '../stores/durable-answers.ts';
import { createSqliteServerStore } from '../stores/sqlite-server-store.ts';
import { openSqliteStoreThread } from '../stores/store-thread.ts';
import { startTestServer } from './helpers/test-server.ts';
import type { WalSyncMessage, WalSyncReport, WalSyncWorkerData } from '../stores/wal-sync-worker.ts';

function harness(sync: () => void = () => {}) {
  const runs: (() => void)[] = [];
  const log: string[] = [];
  const failed: { batch: string[]; error: unknown }[] = [];
  const d = createDurableAnswers<string>({
    sync: () => {
      log.push('sync');
      sync();
    },
    forward: (batch) => log.push(...batch.map((a) => `forward ${a}`)),
    fail: (batch, error) => failed.push({ batch, error }),
    schedule: (run) => runs.push(run),
  });
  const runAll = (): void => {
    while (runs.length > 0) (runs.shift() as () => void)();
  };
  return { d, log, failed, runs, runAll };
}

describe('durable answers', () => {
  it('hands an answer on only after a sync that started after its commit', () => {
    const h = harness();
    h.d.committed();
    h.d.add('a');
    h.d.add('b');
    expect(h.log).toEqual([]); // nothing before the sync
    h.runAll();
    expect(h.log).toEqual(['sync', 'forward a', 'forward b']);
  });

  it('a commit reported while a sync runs waits for the next sync, with its answers', () => {
    const h = harness();
    let during = true;
    const d = createDurableAnswers<string>({
      sync: () => {
        h.log.push('sync');
        if (during) {
          during = false;
          d.committed(); // the writer committed the next round meanwhile
          d.add('b');
        }
      },
      forward: (batch) => h.log.push(...batch.map((a) => `forward ${a}`)),
      fail: () => h.log.push('fail'),
      schedule: (run) => h.runs.push(run),
    });
    d.committed();
    d.add('a');
    h.runs.shift()?.();
    expect(h.log).toEqual(['sync', 'forward a']);
    expect(h.runs).toHaveLength(1);
    h.runs.shift()?.();
    expect(h.log).toEqual(['sync', 'forward a', 'sync', 'forward b']);
  });

  it('answers that follow no new commit go out at once, in order, without a sync', () => {
    const h = harness();
    h.d.committed();
    h.d.add('push');
    h.runAll();
    h.d.add('pull');
    expect(h.log).toEqual(['sync', 'forward push', 'forward pull']);
    // Commits reported together share one sync.
    h.d.committed();
    h.d.committed();
    h.d.add('c');
    h.runAll();
    expect(h.log.filter((l) => l === 'sync')).toHaveLength(2);
    expect(h.log.at(-1)).toBe('forward c');
  });

  it('after a failed sync, no answer is ever handed on', () => {
    const err = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    let fails = true;
    const h = harness(() => {
      if (fails) throw err;
    });
    h.d.committed();
    h.d.add('a');
    h.runAll();
    expect(h.failed).toEqual([{ batch: ['a'], error: err }]);
    fails = false; // a later sync would succeed, but cannot vouch for what the failed one lost
    h.d.committed();
    h.d.add('b');
    h.d.add('c');
    h.runAll();
    expect(h.log.filter((l) => l.startsWith('forward'))).toEqual([]);
    expect(h.failed.map((f) => f.batch)).toEqual([['a'], ['b'], ['c']]);
  });
});

describe('commit reports', () => {
  it('every store method that may write reports its commit once it returns, a pull does not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldsync-walsync-'));
    const log: string[] = [];
    const inner = createSqliteServerStore({ file: join(dir, 'db.sqlite'), syncEachCommit: false });
    const store = reportingCommits(inner, () => log.push('committed'));
    try {
      const m = { hlc: formatHlc({ millis: Date.UTC(2026, 10, 30), counter: 0, clientId: 'A' }), table: 'notes', row: 'r', column: 'title', value: 'v' };
      log.push(`pushed ${store.push('u', [m]).stored}`);
      expect(log).toEqual(['committed', 'pushed 1']); // reported before the caller goes on
      store.pushMany([{ userId: 'u', messages: [] }]);
      const epoch = store.pull('u', { cursor: 0, limit: 10, excludeClientId: 'B' }).epoch;
      store.renewEpoch('u', epoch);
      expect(log).toEqual(['committed', 'pushed 1', 'committed', 'committed']);
      expect(() => store.push('u', [{ ...m, value: undefined as never }])).toThrow();
      expect(log).toHaveLength(5); // a failed write reports too: one sync too many is harmless
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the WAL sync thread', () => {
  let dir: string | null = null;
  let worker: Worker | null = null;
  afterEach(async () => {
    await worker?.terminate();
    worker = null;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  const start = (walFile: string) => {
    const channel = new MessageChannel();
    worker = new Worker(new URL('../stores/wal-sync-worker.ts', import.meta.url), {
      workerData: { walFile, answers: channel.port2 } satisfies WalSyncWorkerData,
      transferList: [channel.port2],
    });
    const messages: WalSyncMessage[] = [];
    const next = () => new Promise<WalSyncMessage>((resolve) => (worker as Worker).once('message', (m: WalSyncMessage) => {
      messages.push(m);
      resolve(m);
    }));
    const post = (r: WalSyncReport) => channel.port1.postMessage(r);
    return { post, next, port: channel.port1 };
  };

  it('hands the answers of a commit on once the WAL is synced', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fieldsync-walsync-'));
    writeFileSync(join(dir, 'db-wal'), 'frames');
    const w = start(join(dir, 'db-wal'));
    const got = w.next();
    w.post({ type: 'committed' });
    w.post({ type: 'answer', id: 7, ok: true, value: 'stored' });
    expect(await got).toEqual([{ type: 'answer', id: 7, ok: true, value: 'stored' }]);
    w.port.close();
  });

  it('reports a WAL it cannot sync instead of handing the answer on', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fieldsync-walsync-'));
    writeFileSync(join(dir, 'not-a-dir'), '');
    const w = start(join(dir, 'not-a-dir', 'db-wal')); // ENOTDIR: the WAL cannot be opened
    const got = w.next();
    w.post({ type: 'committed' });
    w.post({ type: 'answer', id: 8, ok: true, value: 'stored' });
    const m = await got;
    expect(Array.isArray(m)).toBe(false);
    expect(m).toMatchObject({ type: 'sync-failed', error: { code: 'ENOTDIR' } });
    w.port.close();
  });
});

describe('the SQLite store thread', () => {
  const msg = (n: number) => ({ hlc: formatHlc({ millis: Date.UTC(2026, 10, 30) + n, counter: 0, clientId: 'A' }), table: 'notes', row: `r${n}`, column: 'title', value: `v${n}` });

  it('answers only once the WAL is synced: a WAL that cannot be synced fails the first answer, and the store stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldsync-walsync-'));
    writeFileSync(join(dir, 'not-a-dir'), '');
    const store = await openSqliteStoreThread({
      store: { file: join(dir, 'db.sqlite') }, maxDriftMs: 60_000, parseWorkers: 0, walFile: join(dir, 'not-a-dir', 'db.sqlite-wal'),
    });
    try {
      // Even the first answer, a pull: what the file held at the start must be synced too
      // (a commit of a process that crashed before its sync).
      await expect(store.pull('u', { cursor: 0, limit: 10, excludeClientId: 'B' })).rejects.toThrow(/could not be made durable/);
      await expect(store.push('u', [msg(1)])).rejects.toThrow(/could not be made durable/);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('/healthz answers 503 once the store can no longer serve, so that a load balancer stops sending requests here', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldsync-walsync-'));
    writeFileSync(join(dir, 'not-a-dir'), '');
    const store = await openSqliteStoreThread({
      store: { file: join(dir, 'db.sqlite') }, maxDriftMs: 60_000, parseWorkers: 0, walFile: join(dir, 'not-a-dir', 'db.sqlite-wal'),
    });
    const server = await startTestServer({ store, dataDir: dir });
    try {
      // (A healthy SQLite server answers 200: heavy-lane.test.ts, process.test.ts.)
      const r = await server.sync('u', { clientId: 'A', cursor: 0, messages: [msg(1)] });
      expect(r.status).toBe(500); // the commit could not be made durable: not acknowledged
      expect(store.failure()?.message).toMatch(/could not be made durable/);
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ ok: false });
    } finally {
      await server.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers pushes and pulls through the sync thread on a real WAL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldsync-walsync-'));
    const store = await openSqliteStoreThread({ store: { file: join(dir, 'db.sqlite') }, maxDriftMs: 60_000, parseWorkers: 0 });
    try {
      expect(await store.push('u', [msg(1), msg(2)])).toMatchObject({ accepted: 2, stored: 2, maxId: 2 });
      const page = await store.pull('u', { cursor: 0, limit: 10, excludeClientId: 'B' });
      expect(page.messages.map((m) => m.id)).toEqual([1, 2]);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
