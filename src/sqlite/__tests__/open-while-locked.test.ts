/**
 * openDatabase beside another connection that holds the write lock of a file not yet in WAL
 * mode (a new profile that the app and its background syncer open at the same moment: the
 * other one is switching it to WAL). The switch reads the file's header, then upgrades its
 * read to a write, and SQLite does not call the busy handler for such an upgrade (it could
 * deadlock two readers that both upgrade): it failed at once with "database is locked"
 * although the busy timeout is 5 s (round 64's CI, two-processes.test.ts). openDatabase must
 * wait for the lock as any other statement does.
 *
 * The holder runs in a worker thread (its own connection, real file locks): it takes the
 * write lock, waits until this thread is about to open, and lets go a moment later, while
 * openDatabase waits (no timed assertion: the order is fixed by the shared flags).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, expect, it } from 'vitest';
import { StoreError } from '../../sync/index.ts';
import { openDatabase } from '../open-database.ts';
import { tempDir } from '../../../test-support/temp-dir.ts';

const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

/** [0]: the holder has the lock; [1]: this thread opens now; [2]: the holder let go. */
const HOLDER = `
  const { workerData } = require('node:worker_threads');
  const Database = require(workerData.lib);
  const flags = new Int32Array(workerData.flags);
  const db = new Database(workerData.file);
  db.exec(workerData.hold);
  Atomics.store(flags, 0, 1);
  Atomics.notify(flags, 0);
  Atomics.wait(flags, 1, 0, 60000);
  Atomics.wait(flags, 3, 0, workerData.holdMs); // a moment inside the opener's wait
  db.exec('COMMIT');
  Atomics.store(flags, 2, 1);
  db.close();
`;

async function openBesideHolder(file: string, hold: string, holdMs: number, busyTimeoutMs: number): Promise<{ mode: unknown; released: number } | StoreError> {
  const flags = new Int32Array(new SharedArrayBuffer(16));
  const lib = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(HOLDER, { eval: true, workerData: { lib, file, hold, holdMs, flags: flags.buffer } });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  try {
    for (let i = 0; i < 600 && Atomics.load(flags, 0) === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(Atomics.load(flags, 0), 'the holder took the lock').toBe(1);
    Atomics.store(flags, 1, 1);
    Atomics.notify(flags, 1);
    try {
      const db = openDatabase(file, { busyTimeoutMs });
      const mode = db.pragma('journal_mode', { simple: true });
      db.close();
      return { mode, released: Atomics.load(flags, 2) };
    } catch (err) {
      if (err instanceof StoreError) return err;
      throw err;
    }
  } finally {
    expect(await exited).toBe(0);
  }
}

it('waits for another connection that holds the write lock of a new file, then opens it in WAL mode', async () => {
  const dir = tempDir('fieldsync-open-locked-');
  dirs.push(dir);
  const file = join(dir.path, 'new.db');
  // The holder's BEGIN IMMEDIATE on the new (empty, rollback-mode) file: its write lock, as
  // the other opener's switch to WAL holds it.
  const opened = await openBesideHolder(file, 'BEGIN IMMEDIATE', 300, 60_000);
  expect(opened instanceof StoreError ? opened.message : opened).toEqual({ mode: 'wal', released: 1 });
});

it('a lock held past the busy timeout is a StoreError that names the file and the lock', async () => {
  const dir = tempDir('fieldsync-open-locked-');
  dirs.push(dir);
  const file = join(dir.path, 'new.db');
  const opened = await openBesideHolder(file, 'BEGIN IMMEDIATE', 2000, 50);
  expect(opened).toBeInstanceOf(StoreError);
  expect((opened as StoreError).message).toBe(`cannot open the database ${file}: database is locked`);
});
