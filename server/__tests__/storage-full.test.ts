/**
 * The server's storage full (disk audit F5): a push it cannot store is 503 `unavailable` with
 * a `Retry-After`, said once in the log as a warning, not 500 `internal` with a stack per
 * request; nothing is half-stored, and the same pushes go through once there is room. On a
 * real file system that fills: a small tmpfs, which needs root to mount (skipped without).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RemoteError, createHttpRemote, createMemoryStore, createSyncClient, defineSchema } from 'fieldsync';
import { isStorageFull, toErrorReply } from '../errors.ts';
import { startTestServer } from './helpers/test-server.ts';
import { tempDir } from './helpers/temp-dir.ts';

const schema = defineSchema({ version: 1, tables: { todos: { title: 'string' } } });

const base = tempDir();
const mounted = process.platform === 'linux' && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m,mode=0700', 'tmpfs', base.path]).status === 0;
afterAll(() => {
  if (mounted) spawnSync('umount', [base.path]);
  base.remove();
});

describe('which errors say the storage is full', () => {
  it("SQLite's SQLITE_FULL (node:sqlite's errcode) and PostgreSQL's disk_full; nothing else", () => {
    expect(isStorageFull(Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errcode: 13 }))).toBe(true);
    expect(isStorageFull(Object.assign(new Error('could not extend file'), { code: '53100' }))).toBe(true);
    expect(isStorageFull(Object.assign(new Error('disk I/O error'), { code: 'ERR_SQLITE_ERROR', errcode: 778 }))).toBe(false); // SQLITE_IOERR_WRITE
    expect(isStorageFull(Object.assign(new Error('constraint'), { code: 'ERR_SQLITE_ERROR', errcode: 19 }))).toBe(false);
    expect(isStorageFull(null)).toBe(false);
    expect(toErrorReply(Object.assign(new Error('x'), { errcode: 13 }))).toMatchObject({ status: 503, internal: false, headers: { 'Retry-After': '60' }, body: { error: { code: 'unavailable' } } });
  });
});

describe.skipIf(!mounted)('a server whose data dir fills up (needs root: a 3 MiB tmpfs)', () => {
  it('answers 503 unavailable with Retry-After, warns once, stores nothing half, and takes the pushes once there is room', async () => {
    const dataDir = join(base.path, 'srv');
    mkdirSync(dataDir, { mode: 0o700 });
    const s = await startTestServer({ dataDir });
    try {
      const remote = createHttpRemote({ url: s.url, token: await s.token('alice') });
      const a = await createSyncClient({ schema, store: createMemoryStore(), remote, autoSync: false });
      await a.set('todos', 'seed', 'title', 'seed');
      await a.sync();
      const filler = join(base.path, 'filler');
      const free = (): number => statfsSync(base.path).bavail * statfsSync(base.path).bsize;
      writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 64 * 1024)));
      for (let i = 0; i < 300; i++) await a.set('todos', `t${i}`, 'title', `${i} ${'x'.repeat(1500)}`);
      const failures: unknown[] = [];
      for (let k = 0; k < 3; k++) await a.sync().catch((e: unknown) => failures.push(e));
      expect(failures).toHaveLength(3);
      for (const e of failures) expect(e).toMatchObject({ status: 503, code: 'unavailable', retryAfterMs: 60_000 });
      expect(failures[0]).toBeInstanceOf(RemoteError);
      expect(a.status.pending).toBe(300);
      expect(s.logs.filter((l) => l.level === 50)).toEqual([]); // no error with a stack
      expect(s.logs.filter((l) => l.level === 40 && String(l.msg).includes('storage is full'))).toHaveLength(1);

      rmSync(filler);
      await a.sync();
      expect(a.status).toMatchObject({ pending: 0, error: null });
      const fresh = createMemoryStore();
      const b = await createSyncClient({ schema, store: fresh, remote: createHttpRemote({ url: s.url, token: await s.token('alice') }), autoSync: false });
      await b.sync();
      expect(fresh.rows('todos').size).toBe(301);
      await a.close();
      await b.close();
    } finally {
      await s.stop();
    }
  }, 60_000);
});
