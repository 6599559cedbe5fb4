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
import { npmCommand } from './lib/npm-command.ts';

export const root = join(import.meta.dirname, '..');
export const rendererDir = join(root, 'out', 'renderer');
/** The Electron main process entry (`package.json` "main"). */
export const mainEntry = join(root, 'out', 'main', 'main.js');

/** What the build is made from: a change to any of these makes it stale. */
const SOURCES = ['src/renderer', 'src/shared', 'src/main', 'src/preload', 'src/sync', 'package-lock.json', 'electron.vite.config.ts'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return /\.test\.tsx?$/.test(path) ? 0 : s.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Why the build must be made again, or null when it is up to date. */
export function staleReason(): string | null {
  const outputs = [join(rendererDir, 'index.html'), mainEntry];
  if (!outputs.every((f) => existsSync(f))) return 'there is no build yet';
  const built = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  for (const source of SOURCES) {
    if (newestMtime(join(root, source)) > built) return `${source} changed since the last build`;
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

if (process.argv[1] === import.meta.filename) {
  ensureAppBuild({ force: process.argv.includes('--force') });
}
