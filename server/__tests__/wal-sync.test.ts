/**
 * The SQLite store's answers wait for the disk, its writer does not (stores/wal-sync.ts): an
 * answer is released only by a sync that started after every commit made before it, syncs
 * are shared by the commits that arrive while one runs, and a failed sync fails every answer
 * waiting and every later one. The sync here is a function the test completes by hand.
 */
import { describe, expect, it } from 'vitest';
import { createWalSync } from '../stores/wal-sync.ts';

function harness() {
  const calls: ((err: Error | null) => void)[] = [];
  const wal = createWalSync((done) => calls.push(done));
  const settled: string[] = [];
  const watch = (name: string): Promise<void> => wal.durable().then(() => {
    settled.push(name);
  }, (err: Error) => {
    settled.push(`${name}: ${err.message}`);
  });
  const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
  return { wal, calls, settled, watch, tick };
}

describe('WAL sync', () => {
  it('answers at once when nothing was committed since the last sync', async () => {
    const h = harness();
    await h.watch('pull');
    expect(h.settled).toEqual(['pull']);
    expect(h.calls).toHaveLength(0);
  });

  it('releases an answer only after a sync that started after its commit', async () => {
    const h = harness();
    h.wal.committed(); // commit 1: sync A starts, covering it
    expect(h.calls).toHaveLength(1);
    void h.watch('after 1');
    h.wal.committed(); // commit 2 arrives while A runs: A does not cover it
    void h.watch('after 2');
    h.calls[0]?.(null); // A done
    await h.tick();
    expect(h.settled).toEqual(['after 1']);
    expect(h.calls).toHaveLength(2); // B started at once for commit 2
    h.wal.committed(); // commits 3 and 4 share the sync after B
    h.wal.committed();
    void h.watch('after 4');
    h.calls[1]?.(null);
    await h.tick();
    expect(h.settled).toEqual(['after 1', 'after 2']);
    expect(h.calls).toHaveLength(3);
    h.calls[2]?.(null);
    await h.tick();
    expect(h.settled).toEqual(['after 1', 'after 2', 'after 4']);
    expect(h.calls).toHaveLength(3); // nothing left to sync
  });

  it('a failed sync fails the answers waiting and every later one', async () => {
    const h = harness();
    h.wal.committed();
    void h.watch('waiting');
    h.calls[0]?.(new Error('EIO: i/o error, fdatasync'));
    await h.tick();
    expect(h.settled).toEqual(['waiting: EIO: i/o error, fdatasync']);
    h.wal.committed();
    await h.watch('later');
    expect(h.settled[1]).toBe('later: EIO: i/o error, fdatasync');
    expect(h.calls).toHaveLength(1); // no sync is trusted after a failed one
  });
});
