/**
 * 7. Compaction: server storage after many edits to few cells, with compaction on and off.
 * The edits go straight into the server's SQLite store in pushes of 1,000 (storage is what is
 * measured here, not HTTP), then the database is checkpointed and its file size read.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteServerStore } from '../../server/stores/sqlite-server-store.ts';
import { benchMessage } from '../lib/messages.ts';

export interface CompactionResult {
  readonly compaction: boolean;
  readonly edits: number;
  readonly cells: number;
  readonly storedMessages: number;
  readonly fileBytes: number;
  readonly bytesPerCell: number;
}

export function compaction(options: { edits: number; cells: number }): CompactionResult[] {
  return [true, false].map((on) => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldsync-bench-compaction-'));
    const file = join(dir, 'server.sqlite');
    try {
      const store = createSqliteServerStore({ file, compaction: on });
      const clients = ['phone', 'laptop', 'tablet'];
      for (let start = 0; start < options.edits; start += 1000) {
        const clientId = clients[(start / 1000) % clients.length] as string;
        const batch = Array.from({ length: Math.min(1000, options.edits - start) }, (_, i) => benchMessage(clientId, start + i, options.cells));
        store.push('bench', batch);
      }
      store.close();
      const db = new Database(file);
      db.pragma('wal_checkpoint(TRUNCATE)');
      const storedMessages = (db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
      db.close();
      const fileBytes = statSync(file).size;
      return { compaction: on, edits: options.edits, cells: options.cells, storedMessages, fileBytes, bytesPerCell: fileBytes / options.cells };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
