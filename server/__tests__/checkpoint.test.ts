/**
 * The SQLite store's WAL is checkpointed beside its writer (stores/checkpoint-worker.ts): once
 * a push is answered, its messages soon reach the database file itself, although the writer's
 * own automatic checkpoint waits for 10,000 WAL pages. Checked on a copy of the database file
 * alone, without its WAL.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQLITE_FILE } from '../stores/open-store.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';
import { tempDir } from './helpers/temp-dir.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.stop());

/** Messages in the database file alone (what a checkpoint has copied there). */
function inDatabaseFile(): number {
  const dir = tempDir();
  try {
    const copy = join(dir.path, 'copy.sqlite');
    copyFileSync(join(t.dataDir, SQLITE_FILE), copy);
    const db = new Database(copy);
    try {
      return (db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
    } catch {
      return -1; // a copy taken while a page was being written: look again
    } finally {
      db.close();
    }
  } finally {
    dir.remove();
  }
}

describe('checkpoints beside the writer', () => {
  it('copies committed pushes into the database file', async () => {
    const pushes = [1, 2, 3].map((p) => ({
      clientId: 'dev1', cursor: 0, messages: Array.from({ length: 100 }, (_, i) => msg('dev1', `row-${p}-${i}`, `value ${p} ${i}`)),
    }));
    for (const body of pushes) expect((await t.sync('cp', body)).status).toBe(200);
    let n = inDatabaseFile();
    for (let tries = 0; n !== 300 && tries < 100; tries++) {
      await new Promise((r) => setTimeout(r, 50));
      n = inDatabaseFile();
    }
    expect(n).toBe(300);
  });
});
