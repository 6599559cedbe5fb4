/**
 * The conflict judge's three rules (conflict-judge.ts), each from both sides: a write that
 * could not have seen this device's value is a conflict; one made after it had reached
 * everyone, and sent at once, is a plain edit.
 */
import { describe, expect, it } from 'vitest';
import { formatHlc } from 'fieldsync/server';
import type { SyncStatus } from 'fieldsync';
import { UNSURE_MS, createConflictJudge } from '../conflict-judge.ts';
import { createUnsentWrites } from '../unsent-writes.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const hlc = (millis: number, clientId: string) => formatHlc({ millis, counter: 0, clientId });
const status = (s: Partial<SyncStatus>): SyncStatus => ({
  state: 'idle', online: true, clientId: 'me', pending: 0, rejected: 0, lastSyncAt: null, cursor: 0, error: null, nextRetryAt: null, ...s,
});

function judge(options: { pending?: string[]; latency?: number } = {}) {
  let now = T0;
  const atStart = (options.pending ?? []).map((h) => ({ hlc: h, table: 'todos', row: h, column: 'title' }));
  const unsent = createUnsentWrites(() => now, atStart, atStart.length);
  const j = createConflictJudge({ clientId: 'me', now: () => now, unsent, status: status({ pending: atStart.length }), addedLatencyMs: () => options.latency ?? 0 });
  let syncs = 0;
  let pending = atStart.length;
  const report = (s: SyncStatus) => {
    unsent.pending(s.pending);
    j.status(s);
  };
  /** A local write, as the client reports it: its status first (one more pending), then its messages. */
  const write = (...hlcs: string[]) => {
    pending += hlcs.length;
    report(status({ pending, lastSyncAt: syncs }));
    unsent.wrote(hlcs.map((h) => ({ hlc: h, table: 'todos', row: h, column: 'title' })));
    j.wrote(hlcs.at(-1) as string);
  };
  /** A successful sync round ends now, with `pending` writes left. */
  const synced = (left = 0) => {
    // As the client reports a round: syncing, its answer committed (still syncing), idle.
    report(status({ pending, lastSyncAt: syncs, state: 'syncing' }));
    pending = left;
    report(status({ pending, lastSyncAt: ++syncs, state: 'syncing' }));
    report(status({ pending, lastSyncAt: syncs }));
  };
  return { j, write, synced, report, at: (t: number) => void (now = T0 + t) };
}

describe('the conflict judge', () => {
  it('never calls a replaced value a conflict when this device did not write it', () => {
    const { j, synced, at } = judge();
    synced();
    at(60_000); // however late the write arrives: a third device has no edit of its own to lose
    expect(j.isConflict(hlc(T0, 'other'), hlc(T0 + 1, 'third'))).toBe(false);
    expect(j.isConflict(hlc(T0, 'me'), hlc(T0 + 1, 'third'))).toBe(true);
  });

  it('rule 1: this device’s write was still pending when the other arrived (pending at start too)', () => {
    const fromLastRun = hlc(T0 - 60_000, 'me');
    const { j, write, report, at } = judge({ pending: [fromLastRun] });
    at(10);
    const mine = hlc(T0 + 10, 'me');
    write(mine);
    report(status({ pending: 2, state: 'syncing', lastSyncAt: 0 }));
    // The pull that brings the other write also pushed ours: its status has not come yet.
    expect(j.isConflict(mine, hlc(T0 + 5_000, 'other'))).toBe(true);
    expect(j.isConflict(fromLastRun, hlc(T0 + 5_000, 'other'))).toBe(true);
  });

  it('rule 2: the other write is stamped before this device’s reached the server, or just after', () => {
    const { j, write, synced, at } = judge();
    const mine = hlc(T0, 'me');
    write(mine);
    at(100);
    synced(0); // on the server at T0 + 100
    at(100 + UNSURE_MS + 50); // each arrives at once (rule 3 says nothing)
    expect(j.isConflict(mine, hlc(T0 + 50, 'other'))).toBe(true);
    expect(j.isConflict(mine, hlc(T0 + 100 + UNSURE_MS - 1, 'other'))).toBe(true);
    expect(j.isConflict(mine, hlc(T0 + 100 + UNSURE_MS + 1, 'other'))).toBe(false);
  });

  it('only the writes a push took count as arrived: the newest stay pending', () => {
    const { j, write, synced, at } = judge();
    const [a, b, c] = [hlc(T0, 'me'), hlc(T0 + 1, 'me'), hlc(T0 + 2, 'me')];
    write(a, b);
    write(c);
    at(60_000);
    synced(1); // two pushed, one left: the newest
    at(100_050); // the other write arrives at once
    expect(j.isConflict(a, hlc(T0 + 100_000, 'other'))).toBe(false);
    expect(j.isConflict(c, hlc(T0 + 100_000, 'other'))).toBe(true);
  });

  it('rule 3: a write that reaches this device late, while it was connected, was made offline', () => {
    const { j, write, synced, at } = judge();
    synced(); // connected from T0
    const mine = hlc(T0, 'me');
    write(mine);
    at(100);
    synced();
    // Written 5 s after ours reached everyone: sent at once, it is a plain later edit...
    at(5_200);
    expect(j.isConflict(mine, hlc(T0 + 5_000, 'other'))).toBe(false);
    // ...held back for 3 s by a device that worked offline, a conflict.
    at(8_000);
    expect(j.isConflict(mine, hlc(T0 + 5_000, 'other'))).toBe(true);
  });

  it('rule 3 needs this device connected all along, and allows for its own simulated latency', () => {
    const { j, write, synced, report, at } = judge();
    const mine = hlc(T0, 'me');
    write(mine);
    synced();
    report(status({ state: 'offline', online: true, lastSyncAt: 1 })); // down
    at(60_000);
    synced(); // back: anything stamped while it was away may have waited for it
    expect(j.isConflict(mine, hlc(T0 + 30_000, 'other'))).toBe(false);

    const slow = judge({ latency: 3_000 });
    slow.synced();
    slow.write(mine);
    slow.synced();
    slow.at(9_000);
    expect(slow.j.isConflict(mine, hlc(T0 + 5_000, 'other'))).toBe(false); // 4 s late, 3 s of them its own
    slow.at(11_000);
    expect(slow.j.isConflict(mine, hlc(T0 + 5_000, 'other'))).toBe(true);
  });

  it('the bounds: exactly UNSURE_MS after ours reached the server, or exactly UNSURE_MS late, is a plain edit', () => {
    const { j, write, synced, at } = judge();
    synced(); // connected from T0
    const mine = hlc(T0, 'me');
    write(mine);
    at(100);
    synced(); // on the server at T0 + 100
    at(100 + UNSURE_MS + 500);
    expect(j.isConflict(mine, hlc(T0 + 100 + UNSURE_MS, 'other'))).toBe(false); // rule 2: not less than UNSURE_MS after
    at(5_000 + UNSURE_MS);
    expect(j.isConflict(mine, hlc(T0 + 5_000, 'other'))).toBe(false); // rule 3: not more than UNSURE_MS late
    at(5_001 + UNSURE_MS);
    expect(j.isConflict(mine, hlc(T0 + 5_000, 'other'))).toBe(true);
  });

  it('rule 3 counts from the first answer after a failure, not from a later one, nor from a sync that is only starting', () => {
    const { j, write, synced, report, at } = judge();
    synced(); // connected from T0 (its first answer)
    const mine = hlc(T0, 'me');
    write(mine);
    at(100);
    synced();
    at(6_000);
    synced(); // a later answer, without the other write (its device held it back)
    at(8_000);
    expect(j.isConflict(mine, hlc(T0 + 5_000, 'other'))).toBe(true);

    // Down, then a sync that starts at 60 s and is first answered at 70 s.
    report(status({ state: 'error', lastSyncAt: 3 }));
    at(60_000);
    expect(j.isConflict(mine, hlc(T0 + 30_000, 'other'))).toBe(false); // not connected: it may have waited for this device
    report(status({ state: 'syncing', lastSyncAt: 3 }));
    at(70_000);
    report(status({ state: 'syncing', lastSyncAt: 4 }));
    report(status({ lastSyncAt: 4 }));
    expect(j.isConflict(mine, hlc(T0 + 65_000, 'other'))).toBe(false); // stamped before it was connected again
    at(70_000 + UNSURE_MS + 1);
    expect(j.isConflict(mine, hlc(T0 + 70_000, 'other'))).toBe(true); // stamped as it was: while connected
  });

  it('judges in the server\'s time: this device\'s clock, as its own writes correct it', () => {
    // This device's clock is 10 s behind the server's: its hlcs run 10 s ahead of it.
    const { j, write, synced, at } = judge();
    synced(); // connected from T0 (in its own clock, before its first write)
    const mine = hlc(T0 + 10_000, 'me');
    write(mine);
    at(100);
    synced(); // on the server at T0 + 100 by its clock: T0 + 10_100 in the server's
    at(200);
    expect(j.isConflict(mine, hlc(T0 + 10_100 + UNSURE_MS - 1, 'other'))).toBe(true); // rule 2
    expect(j.isConflict(mine, hlc(T0 + 10_100 + UNSURE_MS + 1, 'other'))).toBe(false);
    // Rule 3: written at T0 + 15_000 in the server's time, seen at T0 + 15_200, then 3 s late.
    at(5_200);
    expect(j.isConflict(mine, hlc(T0 + 15_000, 'other'))).toBe(false);
    at(8_000);
    expect(j.isConflict(mine, hlc(T0 + 15_000, 'other'))).toBe(true);
  });
});
