/**
 * The SQLite store's answers wait for the WAL's sync (durable-answers.ts, wal-sync-worker.ts):
 * an answer is handed on only after a sync that started after every commit reported before
 * it of its user's data, and a failed sync lets no answer through again. The rule alone with
 * a manual scheduler, then the worker itself on a real file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { formatHlc } from 'fieldsync/server';
import { reportingCommits, walSyncReporter } from '../stores/commit-reports.ts';
import { createDurableAnswers } from '../stores/durable-answers.ts';
import { createSqliteServerStore } from '../stores/sqlite-server-store.ts';
import { openSqliteStoreThread } from '../stores/store-thread.ts';
import { startTestServer } from './helpers/test-server.ts';
import type { WalSyncMessage, WalSyncReport, WalSyncWorkerData } from '../stores/wal-sync-worker.ts';

/** A sync that completes at once (with `sync`'s error, if it throws). */
function harness(sync: () => void = () => {}) {
  const runs: (() => void)[] = [];
  const log: string[] = [];
  const failed: { batch: string[]; error: unknown }[] = [];
  const d = createDurableAnswers<string>({
    sync: (done) => {
      log.push('sync');
      try {
        sync();
      } catch (err) {
        done(err);
        return;
      }
      done();
    },
    forward: (batch) => log.push(...batch.map((a) => `forward ${a}`)),
    fail: (batch, error) => failed.push({ batch, error }),
    schedule: (run) => runs.push(run),
  });
  const runAll = (): void => {
    while (runs.length > 0) (runs.shift() as () => void)();
  };
  /** A write transaction that starts and returns (the store's thread reports both, one after the other). */
  const commit = (users?: readonly string[] | null): void => {
    d.started(users);
    d.committed();
  };
  return { d, log, failed, runs, runAll, commit };
}

describe('durable answers', () => {
  it('hands an answer on only after a sync that started after its commit', () => {
    const h = harness();
    h.commit();
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
      sync: (done) => {
        h.log.push('sync');
        if (during) {
          during = false;
          d.started();
          d.committed(); // the writer committed the next round meanwhile
          d.add('b');
        }
        done();
      },
      forward: (batch) => h.log.push(...batch.map((a) => `forward ${a}`)),
      fail: () => h.log.push('fail'),
      schedule: (run) => h.runs.push(run),
    });
    d.started();
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
    h.commit();
    h.d.add('push');
    h.runAll();
    h.d.add('pull');
    expect(h.log).toEqual(['sync', 'forward push', 'forward pull']);
    // Commits reported together share one sync.
    h.commit();
    h.commit();
    h.d.add('c');
    h.runAll();
    expect(h.log.filter((l) => l === 'sync')).toHaveLength(2);
    expect(h.log.at(-1)).toBe('forward c');
  });

  it('an answer waits only for the commits of its own user’s data, and each user’s answers keep their order', () => {
    const h = harness();
    h.commit(['pusher']); // another user's large push
    h.d.add('pusher: stored', 'pusher');
    h.d.add('prober: pulled', 'prober'); // reads nothing that commit wrote
    expect(h.log).toEqual(['forward prober: pulled']);
    h.commit(['prober', 'pusher']); // a round with both users' pushes
    h.d.add('prober: stored', 'prober');
    h.d.add('prober: pulled again', 'prober');
    h.runAll();
    expect(h.log).toEqual(['forward prober: pulled', 'sync', 'forward pusher: stored', 'forward prober: stored', 'forward prober: pulled again']);
  });

  it('a commit of unknown users, and an answer of no user, wait for every commit', () => {
    const h = harness();
    h.commit(null); // a store method that does not say whose data it wrote
    h.d.add('a: pulled', 'a');
    h.runAll();
    h.commit(['a']);
    h.d.add('anyone', undefined); // a store call of no one user waits for a's commit too
    h.d.add('b: pulled', 'b');
    h.runAll();
    expect(h.log).toEqual(['sync', 'forward a: pulled', 'forward b: pulled', 'sync', 'forward anyone']);
  });

  it('lets an answer that waits for nothing out while a long sync is under way', () => {
    const log: string[] = [];
    const runs: (() => void)[] = [];
    const syncs: ((error?: unknown) => void)[] = [];
    const d = createDurableAnswers<string>({
      sync: (done) => {
        log.push('sync starts');
        syncs.push(done);
      },
      forward: (batch) => log.push(...batch.map((a) => `forward ${a}`)),
      fail: () => log.push('fail'),
      schedule: (run) => runs.push(run),
    });
    d.started(['pusher']);
    d.committed();
    d.add('pusher: stored', 'pusher');
    runs.shift()?.();
    d.add('prober: pulled', 'prober');
    d.started(['prober']);
    d.committed(); // while the first sync runs: it needs a sync of its own
    d.add('prober: stored', 'prober');
    runs.shift()?.(); // no second sync while one is under way
    expect(log).toEqual(['sync starts', 'forward prober: pulled']);
    syncs.shift()?.();
    expect(log).toEqual(['sync starts', 'forward prober: pulled', 'forward pusher: stored']);
    runs.shift()?.();
    syncs.shift()?.();
    expect(log).toEqual(['sync starts', 'forward prober: pulled', 'forward pusher: stored', 'sync starts', 'forward prober: stored']);
  });

  it('a pull thread’s answer waits until every write transaction started before its read ended has been reported', () => {
    const h = harness();
    h.d.add('prober: pulled', 'prober', 1); // its read ended after a first write started; the report is not in yet
    h.d.add('prober: pulled again', 'prober', 0); // and its answers keep their order
    expect(h.log).toEqual([]);
    h.d.started(['pusher']); // another user's: not waited for, though still under way
    expect(h.log).toEqual(['forward prober: pulled', 'forward prober: pulled again']);
  });

  it('a pull thread’s answer waits for the sync of its own user’s transaction, even one still under way when it read', () => {
    const h = harness();
    h.d.started(['u']);
    h.d.add('u: pulled', 'u', 1); // read what that transaction wrote (it may have committed already)
    h.runAll();
    expect(h.log).toEqual([]);
    h.d.committed();
    expect(h.log).toEqual([]); // committed, not yet synced
    h.runAll();
    expect(h.log).toEqual(['sync', 'forward u: pulled']);
  });

  it('a pull thread’s answers still waiting fail with a failed sync, and a commit that never started is refused', () => {
    const err = new Error('EIO');
    const h = harness(() => {
      throw err;
    });
    h.commit(['u']);
    h.d.add('u: pulled', 'u', 1);
    h.d.add('v: pulled', 'v', 2); // waits for a report that never comes before the failure
    h.runAll();
    expect(h.failed).toEqual([{ batch: ['u: pulled', 'v: pulled'], error: err }]);
    expect(() => harness().d.committed()).toThrow(/never started/);
  });

  it('after a failed sync, no answer is ever handed on', () => {
    const err = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    let fails = true;
    const h = harness(() => {
      if (fails) throw err;
    });
    h.commit();
    h.d.add('a');
    h.runAll();
    expect(h.failed).toEqual([{ batch: ['a'], error: err }]);
    fails = false; // a later sync would succeed, but cannot vouch for what the failed one lost
    h.commit();
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
    const reporter = { started: (users: readonly string[] | null) => log.push(`started ${users ? users.join(',') : 'anyone'}`), committed: () => log.push('committed') };
    const store = reportingCommits(inner, reporter);
    try {
      const m = { hlc: formatHlc({ millis: Date.UTC(2026, 10, 30), counter: 0, clientId: 'A' }), table: 'notes', row: 'r', column: 'title', value: 'v' };
      log.push(`pushed ${store.push('u', [m]).stored}`);
      // Its users before it starts, its return before the caller goes on.
      expect(log).toEqual(['started u', 'committed', 'pushed 1']);
      store.pushMany([{ userId: 'u', messages: [] }, { userId: 'v', messages: [m] }]);
      const epoch = store.pull('u', { cursor: 0, limit: 10, excludeClientId: 'B' }).epoch;
      store.renewEpoch('u', epoch);
      expect(log).toEqual(['started u', 'committed', 'pushed 1', 'started u,v', 'committed', 'started u', 'committed']);
      expect(() => store.push('w', [{ ...m, value: undefined as never }])).toThrow();
      expect(log.slice(-2)).toEqual(['started w', 'committed']); // a failed write reports too: one sync too many is harmless
      // A method it does not know the users of concerns anyone's data.
      const extended = reportingCommits({ ...inner, vacuum: () => log.push('vacuum') } as never, reporter) as unknown as { vacuum(): void };
      extended.vacuum();
      expect(log.slice(-3)).toEqual(['started anyone', 'vacuum', 'committed']);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the store thread’s reporter', () => {
  it('counts each write transaction in the shared counter before it reports it, so that a pull that read its data waits for the report', () => {
    const started = new BigInt64Array(new SharedArrayBuffer(8));
    const posted: string[] = [];
    let returned = 0;
    const reporter = walSyncReporter(started, (r) => posted.push(`${r.type} at ${started[0]}`), () => returned++);
    reporter.started(['u']);
    reporter.committed();
    reporter.started(null);
    expect(posted).toEqual(['started at 1', 'committed at 1', 'started at 2']);
    expect(returned).toBe(1); // the checkpoint thread hears of each return
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
    w.post({ type: 'started', users: null });
    w.post({ type: 'committed' });
    w.post({ type: 'answered', answer: { type: 'answer', id: 7, ok: true, value: 'stored' }, user: 'u' });
    expect(await got).toEqual([{ type: 'answer', id: 7, ok: true, value: 'stored' }]);
    w.port.close();
  });

  it('hands another user’s answer on before the sync of a commit it does not read', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fieldsync-walsync-'));
    writeFileSync(join(dir, 'db-wal'), 'frames');
    const w = start(join(dir, 'db-wal'));
    const first = w.next();
    w.post({ type: 'started', users: ['pusher'] });
    w.post({ type: 'committed' });
    w.post({ type: 'answered', answer: { type: 'answer', id: 1, ok: true, value: 'stored' }, user: 'pusher' });
    w.post({ type: 'answered', answer: { type: 'answer', id: 2, ok: true, value: 'pulled' }, user: 'prober' });
    expect(await first).toEqual([{ type: 'answer', id: 2, ok: true, value: 'pulled' }]);
    expect(await w.next()).toEqual([{ type: 'answer', id: 1, ok: true, value: 'stored' }]);
    w.port.close();
  });

  it('reports a WAL it cannot sync instead of handing the answer on', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fieldsync-walsync-'));
    writeFileSync(join(dir, 'not-a-dir'), '');
    const w = start(join(dir, 'not-a-dir', 'db-wal')); // ENOTDIR: the WAL cannot be opened
    const got = w.next();
    w.post({ type: 'started', users: ['u'] });
    w.post({ type: 'committed' });
    w.post({ type: 'answered', answer: { type: 'answer', id: 8, ok: true, value: 'stored' }, user: 'u' });
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
