/** App cores on temporary profile directories, closed and removed after each test. */
import { afterEach } from 'vitest';
import type { Envelope } from '../src/shared/app-api.ts';
import { createAppCore, type AppCore, type AppCoreOptions } from '../src/main/core/app-core.ts';
import { tempDir, type TempDir } from './temp-dir.ts';

export interface CoreFixture {
  /** A core on a new profile directory (or `dir`, to reopen one). */
  open(options?: Partial<AppCoreOptions> & { dir?: TempDir }): Promise<AppCore & { dir: TempDir }>;
}

export function useCores(): CoreFixture {
  const cores: AppCore[] = [];
  const dirs: TempDir[] = [];
  afterEach(async () => {
    for (const c of cores.splice(0)) await c.close();
    for (const d of dirs.splice(0)) d.remove();
  });
  return {
    async open(options = {}) {
      const dir = options.dir ?? tempDir('fieldsync-profile-');
      if (!options.dir) dirs.push(dir);
      const core = await createAppCore({ profileDir: dir.path, profile: 'test', log: () => {}, ...options });
      cores.push(core);
      return Object.assign(core, { dir });
    },
  };
}

/** The value of a successful envelope; throws with the error otherwise. */
export function value<T>(envelope: Envelope): T {
  if (!envelope.ok) throw new Error(`${envelope.error.code}: ${envelope.error.message}`);
  return envelope.value as T;
}

/** Calls a method and returns its value. */
export async function call<T>(core: AppCore, method: string, ...args: unknown[]): Promise<T> {
  return value<T>(await core.dispatch(method, args));
}

/**
 * How many messages the core's database holds (a refused call must not change it): pulled and
 * acknowledged ones, those in the outbox, local ones kept in their data rows
 * (`_pending_<column>` set; src/sqlite/pending-cells.ts) and the earlier ones a rewrite kept in
 * its row (`_unpushed` lists of the current generation; src/sqlite/unpushed-in-row.ts).
 */
export function messageCount(core: AppCore): number {
  const db = core.db;
  let marked = 0;
  const generation = Number(db.prepare("SELECT value FROM fieldsync_meta WHERE key = '_unpushedGeneration'").pluck().get() ?? 0);
  for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'fieldsync_%' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]) {
    const columns = (db.pragma(`table_info("${name}")`) as { name: string }[]).map((c) => c.name);
    for (const c of columns.filter((c) => c.startsWith('_pending_'))) marked += db.prepare(`SELECT count(*) FROM "${name}" WHERE "${c}" IS NOT NULL`).pluck().get() as number;
    if (!columns.includes('_unpushed')) continue;
    for (const list of db.prepare(`SELECT _unpushed FROM "${name}" WHERE CAST(_unpushed AS INTEGER) = ?`).pluck().all(generation) as string[]) {
      marked += (list.split('\u0000').length - 1) / 3;
    }
  }
  return marked + (db.prepare('SELECT (SELECT count(*) FROM fieldsync_messages) + (SELECT count(*) FROM fieldsync_outbox)').pluck().get() as number);
}
