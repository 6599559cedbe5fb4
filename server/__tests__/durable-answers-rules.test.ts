/**
 * The rules of durable-answers.ts and commit-reports.ts that durable-answers.test.ts left
 * open (round 67, mutation testing): each one, if broken, lets an answer reach a client
 * before the disk holds what it speaks of (a push acknowledged, then lost to a power cut),
 * or stops answers for good.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatHlc } from 'fieldsync/server';
import { reportingCommits, walSyncReporter } from '../stores/commit-reports.ts';
import { createDurableAnswers } from '../stores/durable-answers.ts';
import { createSqliteServerStore } from '../stores/sqlite-server-store.ts';

/** Durable answers whose syncs complete only when the test says, each forwarded batch kept as it came. */
function held() {
  const batches: string[][] = [];
  const failed: { batch: string[]; error: unknown }[] = [];
  const runs: (() => void)[] = [];
  const syncs: ((error?: unknown) => void)[] = [];
  const d = createDurableAnswers<string>({
    sync: (done) => syncs.push(done),
    forward: (batch) => batches.push([...batch]),
    fail: (batch, error) => failed.push({ batch: [...batch], error }),
    schedule: (run) => runs.push(run),
  });
  const runAll = (): void => {
    while (runs.length > 0) (runs.shift() as () => void)();
  };
  const forwarded = (): string[] => batches.flat();
  return { d, batches, failed, runs, syncs, runAll, forwarded };
}

describe('durable answers: what a sync vouches for', () => {
  it('a sync that calls back with null (as fdatasync does on success) succeeded', () => {
    const h = held();
    h.d.started(['u']);
    h.d.committed();
    h.d.add('u: stored', 'u');
    h.runAll();
    (h.syncs.shift() as (e?: unknown) => void)(null);
    expect(h.forwarded()).toEqual(['u: stored']);
    expect(h.failed).toEqual([]);
  });

  it("a sync vouches only for the commits before it started: another user's commit reported meanwhile still waits for its own", () => {
    const h = held();
    h.d.started(['u']);
    h.d.committed();
    h.runAll(); // the sync of u's commit starts
    h.d.started(['v']); // v's push commits while it runs
    h.d.committed();
    (h.syncs.shift() as (e?: unknown) => void)();
    h.d.add('v: stored', 'v'); // v's answer, after the first sync ended
    expect(h.forwarded()).toEqual([]);
    h.runAll();
    (h.syncs.shift() as (e?: unknown) => void)();
    expect(h.forwarded()).toEqual(['v: stored']);
  });

  it('forwards no empty batch: a sync that releases nothing posts nothing', () => {
    const h = held();
    h.d.started(['u']);
    h.d.committed();
    h.runAll();
    (h.syncs.shift() as (e?: unknown) => void)(); // nothing was waiting
    h.d.add('u: pulled', 'u');
    expect(h.batches).toEqual([['u: pulled']]);
  });

  it('after a failed sync, every later answer fails with that same error', () => {
    const h = held();
    const err = Object.assign(new Error('EIO'), { code: 'EIO' });
    h.d.started(['u']);
    h.d.committed();
    h.runAll();
    (h.syncs.shift() as (e?: unknown) => void)(err);
    h.d.add('late', 'u');
    h.d.add('later', undefined, 0);
    // The failure itself is told at once, with nothing waiting (the store stops on it: wal-sync-worker.ts).
    expect(h.failed).toEqual([{ batch: [], error: err }, { batch: ['late'], error: err }, { batch: ['later'], error: err }]);
    expect(h.forwarded()).toEqual([]);
  });

  it('a sync that throws instead of calling back fails the answers waiting', () => {
    const failed: { batch: string[]; error: unknown }[] = [];
    const forwarded: string[] = [];
    const runs: (() => void)[] = [];
    const err = new Error('EBADF');
    const d = createDurableAnswers<string>({
      sync: () => {
        throw err;
      },
      forward: (batch) => forwarded.push(...batch),
      fail: (batch, error) => failed.push({ batch: [...batch], error }),
      schedule: (run) => runs.push(run),
    });
    d.started(['u']);
    d.committed();
    d.add('u: stored', 'u');
    (runs.shift() as () => void)();
    expect(failed).toEqual([{ batch: ['u: stored'], error: err }]);
    expect(forwarded).toEqual([]);
  });

  it('without a schedule of its own, the sync runs on a later turn of the event loop', async () => {
    const log: string[] = [];
    const d = createDurableAnswers<string>({
      sync: (done) => {
        log.push('sync');
        done();
      },
      forward: (batch) => log.push(...batch),
      fail: () => log.push('fail'),
    });
    d.started(['u']);
    d.committed();
    d.add('u: stored', 'u');
    expect(log).toEqual([]); // not in the same turn: commits reported together share the sync
    for (let i = 0; i < 100 && log.length < 2; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(log).toEqual(['sync', 'u: stored']);
  });
});

describe("durable answers: the pull thread's answers", () => {
  it('one whose read ended after two writes started waits for the second report, not the first', () => {
    const h = held();
    h.d.add('u: pulled', 'u', 2);
    h.d.started(['v']); // the first report: v's, not enough
    expect(h.forwarded()).toEqual([]);
    h.d.started(['u']); // the second: u's own, under way
    expect(h.forwarded()).toEqual([]);
    h.d.committed();
    h.d.committed();
    h.runAll();
    (h.syncs.shift() as (e?: unknown) => void)();
    expect(h.forwarded()).toEqual(['u: pulled']);
  });

  it("the store thread's own answer is not held behind a pull answer still waiting for a report", () => {
    const h = held();
    h.d.add('u: pulled', 'u', 1); // waits for the first report
    h.d.add('v: answered', 'v'); // from the store's thread, which has reported everything before it
    expect(h.forwarded()).toEqual(['v: answered']);
    h.d.started(['w']);
    expect(h.forwarded()).toEqual(['v: answered', 'u: pulled']);
  });
});

describe('commit reports: whose data a call may write', () => {
  const m = { hlc: formatHlc({ millis: Date.UTC(2026, 10, 30), counter: 0, clientId: 'A' }), table: 'notes', row: 'r', column: 'title', value: 'v' };

  it("a call whose users cannot be read from its arguments concerns anyone's data; the store still answers it", () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldsync-reports-'));
    const log: string[] = [];
    const inner = createSqliteServerStore({ file: join(dir, 'db.sqlite'), syncEachCommit: false });
    const store = reportingCommits(inner, { started: (users) => log.push(`started ${users ? users.join(',') : 'anyone'}`), committed: () => log.push('committed') });
    const call = (f: () => unknown): string => {
      try {
        f();
        return 'ok';
      } catch (err) {
        return (err as Error).name;
      }
    };
    try {
      // A user that is not a string: the store refuses it, after the report says anyone.
      const wrongUser = call(() => store.push(42 as never, [m]));
      expect(log).toEqual(['started anyone', 'committed']);
      expect(wrongUser).not.toBe('TypeError');
      log.length = 0;
      // Items that are no array, an item that is null, one user among them not a string.
      for (const items of ['u', [null], [{ userId: 'u', messages: [m] }, { userId: 7, messages: [] }]]) {
        const outcome = call(() => store.pushMany(items as never));
        expect(outcome).not.toBe('TypeError'); // the store's own refusal, not the reporter's crash
        expect(log).toEqual(['started anyone', 'committed']);
        log.length = 0;
      }
      // Every user a string: those users, in order.
      store.pushMany([{ userId: 'u', messages: [] }, { userId: 'v', messages: [] }]);
      expect(log).toEqual(['started u,v', 'committed']);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("what is not a method is the store's as it is, not wrapped", () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldsync-reports-'));
    const inner = createSqliteServerStore({ file: join(dir, 'db.sqlite'), syncEachCommit: false });
    const log: string[] = [];
    try {
      const store = reportingCommits({ ...inner, label: 'main' } as never, { started: () => log.push('started'), committed: () => log.push('committed') }) as unknown as { label: unknown };
      expect(store.label).toBe('main');
      expect(log).toEqual([]);
    } finally {
      inner.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the reporter works with no shared counter (no pull thread) and no one to tell of returns', () => {
    const posted: string[] = [];
    const reporter = walSyncReporter(null, (r) => posted.push(r.type));
    reporter.started(['u']);
    reporter.committed();
    expect(posted).toEqual(['started', 'committed']);
  });
});
