/**
 * The SQLite server store's WAL checkpoints (issue 12, ingest): SQLite's automatic checkpoint
 * runs once WAL_CHECKPOINT_PAGES pages are in the log, not at its default of 1,000, and it
 * still runs: the WAL file stops growing there. The WAL file keeps the largest size it
 * reached (a checkpoint makes the next commit write from its start again), so its size
 * tells how many pages the log held at most.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Message } from 'fieldsync';
import { formatHlc } from 'fieldsync/server';
import { createSqliteServerStore, WAL_CHECKPOINT_PAGES } from '../stores/sqlite-server-store.ts';
import { tempDir } from './helpers/temp-dir.ts';

/** A WAL frame: a page (SQLite's default, 4 KiB) and its 24-byte header. */
const FRAME_BYTES = 4096 + 24;
const SQLITE_DEFAULT_CHECKPOINT_PAGES = 1000;

/** Push `n` of 100 messages with 3,000-character values (about 80 pages of WAL each). */
const push = (n: number): Message[] => Array.from({ length: 100 }, (_, i) => ({
  hlc: formatHlc({ millis: Date.UTC(2026, 0, 1) + n, counter: i, clientId: 'walclient' }),
  table: 'notes',
  row: `r${n}-${i}`,
  column: 'body',
  value: `${n}/${i} ${'x'.repeat(3000)}`,
}));

describe('SQLite server store WAL checkpoints', () => {
  it(`lets the WAL reach about ${WAL_CHECKPOINT_PAGES} pages before checkpointing, and no further`, () => {
    expect(WAL_CHECKPOINT_PAGES).toBeGreaterThan(2 * SQLITE_DEFAULT_CHECKPOINT_PAGES);
    const dir = tempDir();
    try {
      const file = join(dir.path, 'db.sqlite');
      const store = createSqliteServerStore({ file, syncEachCommit: false });
      const walFrames = (): number => statSync(`${file}-wal`).size / FRAME_BYTES;
      let most = 0;
      let written = 0;
      let n = 0;
      // Commits worth three checkpoint bounds of pages: each bound is reached at least twice.
      while (written < 3 * WAL_CHECKPOINT_PAGES) {
        const before = walFrames();
        expect(store.push('u', push(n++)).stored).toBe(100);
        const after = walFrames();
        written += after > before ? after - before : after; // after a checkpoint: from the start
        most = Math.max(most, after);
      }
      // A checkpoint at SQLite's default would have kept the WAL near 1,000 pages.
      expect(most).toBeGreaterThan(WAL_CHECKPOINT_PAGES * 0.9);
      // It still checkpoints: the WAL stops at the bound plus one commit's pages.
      expect(most).toBeLessThan(WAL_CHECKPOINT_PAGES + 300);
      expect(store.pull('u', { cursor: 0, limit: 1, excludeClientId: 'other' }).lastId).toBe(n * 100);
      store.close();
    } finally {
      dir.remove();
    }
  });
});
