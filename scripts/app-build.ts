/**
 * The app build (`npm run build`: `out/main`, `out/preload`, `out/renderer`) that the browser
 * host serves and the Electron tests launch, made once and reused: `npm run start:web` and
 * the end-to-end tests call `ensureAppBuild()`, which builds only when the build is
 * missing or older than its sources (`npm test` has just built it: nothing to do).
 *
 *   node scripts/app-build.ts [--force]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMainModule } from './lib/main-module.ts';
import { npmCommand } from './lib/npm-command.ts';

export const root = join(import.meta.dirname, '..');
export const rendererDir = join(root, 'out', 'renderer');
/** The Electron main process entry (`package.json` "main"). */
export const mainEntry = join(root, 'out', 'main', 'main.js');

/**
 * What the build is made from: a change to any of these makes it stale. All of src/, not a list
 * of its folders: the bundles reach far into it (out/main/main.js holds src/web-host,
 * src/sqlite and src/node too), and a folder left off served a stale build. package.json: the
 * config reads its productName into the renderer's brand and <title>; the tsconfigs: the
 * compiler's settings for every file. app-build.test.ts checks that every file the bundles
 * import, and every file the config names, is here.
 */
export const SOURCES = ['src', 'package.json', 'package-lock.json', 'electron.vite.config.ts', 'tsconfig.json', 'tsconfig.base.json'];

/** Whether a file (relative to the root, `/`-separated) counts: under SOURCES, and no test (never bundled). */
export function isBuildInput(path: string): boolean {
  if (/\.test\.tsx?$/.test(path) || path.split('/').includes('__tests__')) return false;
  return SOURCES.some((source) => path === source || path.startsWith(`${source}/`));
}

/** The newest build input at `path` (`rel` from the root), or null for none. */
function newestInput(path: string, rel: string): { mtimeMs: number; file: string } | null {
  if (!existsSync(path)) return null;
  const s = statSync(path);
  if (!s.isDirectory()) return isBuildInput(rel) ? { mtimeMs: s.mtimeMs, file: rel } : null;
  let newest: { mtimeMs: number; file: string } | null = null;
  for (const entry of readdirSync(path)) {
    const found = newestInput(join(path, entry), `${rel}/${entry}`);
    if (found && (!newest || found.mtimeMs > newest.mtimeMs)) newest = found;
  }
  return newest;
}

/** Why the build must be made again, or null when it is up to date. */
export function staleReason(): string | null {
  const outputs = [join(rendererDir, 'index.html'), mainEntry];
  if (!outputs.every((f) => existsSync(f))) return 'there is no build yet';
  const built = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  for (const source of SOURCES) {
    const newest = newestInput(join(root, source), source);
    if (newest && newest.mtimeMs > built) return `${newest.file} changed since the last build`;
  }
  return null;
}

/** Builds the app if needed; returns the renderer's folder. Throws when the build fails. */
export function ensureAppBuild(options: { force?: boolean; log?: (line: string) => void } = {}): string {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const reason = options.force ? 'asked to' : staleReason();
  if (reason === null) return rendererDir;
  log(`building the app (${reason}): npm run build`);
  // The build's output goes to stderr: a caller's stdout may be for its results only.
  const npm = npmCommand(['run', '--silent', 'build']);
  const result = spawnSync(npm.command, npm.args, { cwd: root, stdio: ['ignore', 2, 2], shell: npm.shell });
  if (result.status !== 0) throw new Error(`the build failed (npm run build: exit code ${result.status ?? result.signal})`);
  if (!existsSync(join(rendererDir, 'index.html'))) throw new Error(`the build did not write ${rendererDir}/index.html`);
  return rendererDir;
}

if (isMainModule(import.meta.filename)) {
  ensureAppBuild({ force: process.argv.includes('--force') });
}
