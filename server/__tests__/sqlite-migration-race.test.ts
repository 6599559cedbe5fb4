/**
 * The SQLite server store opened by two processes at once on one old file. The reference
 * server takes one process per data dir (data-dir-lock.ts), but the store itself says other
 * processes on its file are serialized by SQLite's write lock, and its migrations must be too:
 * each read the version outside its transaction, so two openers that both read 1 both ran
 * migration 2, and the second failed ("duplicate column name: epoch"); the cell index's
 * check had the same gap ("index messages_by_cell already exists"). The test holds SQLite's write lock while both open, so that both
 * have read what they read before either can write.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../stores/sqlite-schema.ts';
import { restoreDump } from '../../test-support/upgrade-fixture-files.ts';
import type { TempDir } from '../../test-support/temp-dir.ts';
import { tempDir } from './helpers/temp-dir.ts';

const STORE = pathToFileURL(join(import.meta.dirname, '..', 'stores', 'sqlite-server-store.ts')).href;

let dir: TempDir | undefined;
afterEach(() => {
  dir?.remove();
  dir = undefined;
});

/** A process that prints `opening`, opens the store on `file` (compaction on, 10 s busy timeout), and prints `ok` or the error. */
function opener(file: string): { said: () => string; done: Promise<string> } {
  const code = `const { createSqliteServerStore } = await import(${JSON.stringify(STORE)});
process.stdout.write('opening\\n');
try { createSqliteServerStore({ file: ${JSON.stringify(file)}, busyTimeoutMs: 10000 }).close(); process.stdout.write('ok\\n'); }
catch (err) { process.stdout.write(String(err) + '\\n'); }`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  return { said: () => out, done: new Promise((resolve) => child.on('exit', () => resolve(out))) };
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 20_000; !predicate();) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('two processes opening the SQLite server store on one old file at once', () => {
  // Schema 1: migration 2 is what both would run. Schema 2 without its cell index (a server
  // with compaction off ran on it): the index, and the compaction before it, are.
  it.each([
    ['schema 1, with its cell index', 'server-sqlite-v1-db50754.sql', false],
    ['schema 2, without its cell index', 'server-sqlite-v2-360a2ba.sql', true],
  ])('%s: both open it with compaction on, each step runs once', async (_, dump, dropIndex) => {
    dir = tempDir('fieldsync-race-');
    const file = join(dir.path, 'db.sqlite');
    restoreDump(dump, file);
    const gate = new Database(file);
    gate.pragma('journal_mode = WAL');
    if (dropIndex) gate.exec('DROP INDEX messages_by_cell'); // the index must come back once
    gate.exec('BEGIN IMMEDIATE');
    const openers = [opener(file), opener(file)];
    await until(() => openers.every((o) => o.said().includes('opening')), 'both openers');
    // What each does between `opening` and its first write takes milliseconds; this leaves it
    // ample time to read the version (its busy timeout is 10 s).
    await new Promise((r) => setTimeout(r, 500));
    gate.exec('ROLLBACK');
    gate.close();
    expect(await Promise.all(openers.map((o) => o.done))).toEqual(['opening\nok\n', 'opening\nok\n']);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(db.prepare(`SELECT count(DISTINCT epoch) FROM users`).pluck().get()).toBe(1);
      expect(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'messages_by_cell'`).pluck().get()).toBe(1);
    } finally {
      db.close();
    }
  }, 30_000);
});
