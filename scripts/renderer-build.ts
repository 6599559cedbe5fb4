/**
 * The renderer build that the browser host serves (`out/renderer`), made once and reused:
 * `npm run start:web` and the end-to-end tests call `ensureRendererBuild()`, which builds
 * only when the build is missing or older than the renderer's sources.
 *
 *   node scripts/renderer-build.ts [--force]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..');
export const rendererDir = join(root, 'out', 'renderer');

/** What the renderer build is made from: a change to any of these makes it stale. */
const SOURCES = ['src/renderer', 'src/shared', 'package-lock.json', 'electron.vite.config.ts', 'vite.web.config.ts'];

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
  const index = join(rendererDir, 'index.html');
  if (!existsSync(index)) return 'there is no build yet';
  const built = statSync(index).mtimeMs;
  for (const source of SOURCES) {
    if (newestMtime(join(root, source)) > built) return `${source} changed since the last build`;
  }
  return null;
}

/** The build command: the app's own (Electron) build when it exists, else the renderer alone. */
function buildCommand(): string[] {
  const bin = (name: string): string => join(root, 'node_modules', '.bin', name);
  if (existsSync(join(root, 'electron.vite.config.ts'))) return [bin('electron-vite'), 'build'];
  return [bin('vite'), 'build', '--config', join(root, 'vite.web.config.ts'), '--logLevel', 'warn'];
}

/** Builds the renderer if needed; returns its folder. Throws when the build fails. */
export function ensureRendererBuild(options: { force?: boolean; log?: (line: string) => void } = {}): string {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const reason = options.force ? 'asked to' : staleReason();
  if (reason === null) return rendererDir;
  const [command, ...args] = buildCommand() as [string, ...string[]];
  log(`building the renderer (${reason}): ${[command, ...args].map((a) => a.replace(`${root}/`, '')).join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`the renderer build failed (exit code ${result.status ?? result.signal})`);
  if (!existsSync(join(rendererDir, 'index.html'))) throw new Error(`the build did not write ${rendererDir}/index.html`);
  return rendererDir;
}

if (process.argv[1] === import.meta.filename) {
  ensureRendererBuild({ force: process.argv.includes('--force') });
}
