/**
 * Issue 11 item 6: every profile folder is 0700 and every database file 0600, on every path
 * that makes them: the app core (Electron and the browser host), the browser host's own
 * process, the server's data dir; and files an older version left readable by others are
 * tightened (and the browser host deletes the instance key older versions kept in its
 * profile, a secret nothing uses any more). POSIX modes only: skipped on Windows.
 */
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from 'fieldsync/sqlite';
import { startNodeProcess } from '../../../../scripts/processes.ts';
import { createAuthenticator, loadConfig, startServer, type ServerConfig } from '../../../../server/index.ts';
import { tempDir, type TempDir } from '../../../../test-support/temp-dir.ts';
import { createAppCore } from '../app-core.ts';

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);
const posix = process.platform !== 'win32';

describe.skipIf(!posix)('file modes', () => {
  const dirs: TempDir[] = [];
  const dir = (): TempDir => {
    const d = tempDir('fieldsync-modes-');
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });

  it('the app core makes a new profile 0700 (parents included) and its database 0600, whatever the umask', async () => {
    const previous = process.umask(0o000); // the worst case: everything would be world-writable
    try {
      const root = dir().path;
      const profile = join(root, 'profiles', 'demo-1');
      const core = await createAppCore({ profileDir: profile, profile: 'demo-1', log: () => {} });
      await core.dispatch('createList', ['Groceries']); // writes the WAL
      await core.close();
      expect([mode(join(root, 'profiles')), mode(profile)]).toEqual(['700', '700']);
      expect(mode(join(profile, 'fieldsync.db'))).toBe('600');
    } finally {
      process.umask(previous);
    }
  });

  it('the app core tightens a profile and a database left readable by others', async () => {
    const profile = dir().path;
    const db = openDatabase(join(profile, 'fieldsync.db'));
    db.exec('CREATE TABLE t (x)');
    db.close();
    chmodSync(profile, 0o755);
    chmodSync(join(profile, 'fieldsync.db'), 0o644);
    writeFileSync(join(profile, 'fieldsync.db-wal'), '');
    chmodSync(join(profile, 'fieldsync.db-wal'), 0o666);
    const core = await createAppCore({ profileDir: profile, profile: 'old', log: () => {} });
    await core.close();
    expect([mode(profile), mode(join(profile, 'fieldsync.db'))]).toEqual(['700', '600']);
    // The WAL is checkpointed and removed at close; when it stays, it is 0600 too.
    try {
      expect(mode(join(profile, 'fieldsync.db-wal'))).toBe('600');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  });

  it('the browser host keeps its profile 0700 and its database 0600, and deletes the retired web-host.key', async () => {
    const root = dir().path;
    const renderer = join(root, 'renderer');
    mkdirSync(renderer);
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><html><head></head><body></body></html>');
    const profile = join(root, 'web', 'web-1');
    const start = async (): Promise<{ host: Awaited<ReturnType<typeof startNodeProcess>>; lines: string[] }> => {
      const lines: string[] = [];
      const previous = process.umask(0o022); // the common umask, with which this was 0755 and 0644
      try {
        const host = await startNodeProcess({
          name: 'web-1',
          args: ['src/web-host/main.ts', '--profile', 'web-1', '--profile-dir', profile, '--renderer-dir', renderer],
          env: { FIELDSYNC_TOKEN: '', FIELDSYNC_SERVER_URL: '' },
          onLine: (line) => lines.push(line),
        });
        return { host, lines };
      } finally {
        process.umask(previous);
      }
    };
    const first = await start();
    try {
      expect([mode(join(root, 'web')), mode(profile), mode(join(profile, 'fieldsync.db'))]).toEqual(['700', '700', '600']);
    } finally {
      await first.host.stop();
    }
    // A profile of an older version, with the key its cookies were derived from: deleted at start.
    writeFileSync(join(profile, 'web-host.key'), `${'k'.repeat(43)}\n`, { mode: 0o600 });
    const second = await start();
    try {
      expect(existsSync(join(profile, 'web-host.key'))).toBe(false);
      expect(second.lines.join('\n')).toContain('deleted web-host.key');
    } finally {
      await second.host.stop();
    }
  });

  it("the server's data dir is 0700 and its database 0600, even with FIELDSYNC_SECRET set and a looser dir", async () => {
    const data = dir().path;
    chmodSync(data, 0o755);
    // FIELDSYNC_SECRET is set: no secret file is written, which used to be what made the dir.
    const config = loadConfig([], { PORT: '0', FIELDSYNC_DATA_DIR: data, FIELDSYNC_SECRET: 'file-modes-test-secret-0123456789abcdef' }) as ServerConfig;
    const server = await startServer(config, { log: false });
    try {
      const token = await createAuthenticator(config.secret as string).sign('alice', 60);
      const res = await fetch(`${server.url}/v1/sync`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{"clientId":"A","cursor":0}' });
      expect(res.status).toBe(200);
      expect([mode(data), mode(join(data, 'fieldsync.sqlite')), mode(join(data, 'fieldsync.sqlite-wal'))]).toEqual(['700', '600', '600']);
    } finally {
      await server.close();
    }
    chmodSync(join(data, 'fieldsync.sqlite'), 0o644);
    await (await startServer(config, { log: false })).close();
    expect(mode(join(data, 'fieldsync.sqlite'))).toBe('600');
  });
});
