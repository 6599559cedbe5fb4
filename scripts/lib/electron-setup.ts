/**
 * Electron's binary for `npm start`: found, checked, and fetched when missing.
 *
 * Electron 45's npm package has no install step: its binary is fetched on first use. So a
 * fresh `npm ci` has none, and `npm start` fetches it with Electron's own installer
 * (`node node_modules/electron/install.js`, which uses @electron/get: the mirror, proxy and
 * cache settings users already have apply), showing its progress.
 *
 * A binary that is there is also run once (`ELECTRON_RUN_AS_NODE=1 electron --version`): an
 * interrupted download can leave a file that does not start, and launching windows from it
 * would only fail later, several times over. Such a binary is removed and fetched again.
 */
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { findElectronBinary, type ElectronBinary } from './electron-binary.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** Runs Electron's installer with its output on the terminal; resolves with its exit code. */
export type InstallerRun = (installer: string, env: Env) => Promise<number | null>;

export interface ElectronSetupOptions {
  /** The `electron` npm package's folder (node_modules/electron). */
  readonly packageDir: string;
  readonly env: Env;
  readonly log: (line: string) => void;
  readonly runInstaller?: InstallerRun;
  /** How often to say that the download is still going. */
  readonly heartbeatMs?: number;
}

/** Whether the binary starts: it runs as plain Node and prints a version. */
export function binaryRuns(path: string, env: Env): { ok: true } | { ok: false; reason: string } {
  const r = spawnSync(path, ['--version'], { env: { ...env, ELECTRON_RUN_AS_NODE: '1' }, encoding: 'utf8', timeout: 30_000 });
  if (r.error) return { ok: false, reason: `${path} does not start (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})` };
  if (r.status !== 0 || !/^v\d+\./.test(r.stdout.trim())) return { ok: false, reason: `${path} does not start (exit ${r.status ?? r.signal})` };
  return { ok: true };
}

export const spawnInstaller: InstallerRun = (installer, env) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [installer], { env: { ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', () => resolve(null));
    child.once('exit', (code) => resolve(code));
  });

/** One line for the installer's failure, from the exit code. */
const installerFailed = (code: number | null): string => `Electron's installer failed (exit code ${code ?? 'none'}), so its binary could not be fetched`;

export async function ensureElectron(options: ElectronSetupOptions): Promise<ElectronBinary> {
  const { packageDir, env, log } = options;
  const found = findElectronBinary(packageDir, env);
  if (found.ok) {
    const runs = binaryRuns(found.path, env);
    if (runs.ok) return found;
    if (env.ELECTRON_OVERRIDE_DIST_PATH) return { ok: false, reason: runs.reason };
    log(`${runs.reason}: an interrupted download? Removing it to fetch it again.`);
    rmSync(join(packageDir, 'dist'), { recursive: true, force: true });
    rmSync(join(packageDir, 'path.txt'), { force: true });
  } else if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    // The user pointed at a binary of their own: nothing to fetch.
    return found;
  }

  const installer = join(packageDir, 'install.js');
  log(`Electron's binary is not installed yet: fetching it with Electron's installer (node ${installer}); it is about 100 MB, once`);
  const started = Date.now();
  const heartbeat = setInterval(() => log(`still fetching Electron (${Math.round((Date.now() - started) / 1000)} s)...`), options.heartbeatMs ?? 15_000);
  let code: number | null;
  try {
    // ELECTRON_SKIP_BINARY_DOWNLOAD is for `npm install`; here the user asked for Electron.
    const { ELECTRON_SKIP_BINARY_DOWNLOAD: _skip, ...installEnv } = env;
    code = await (options.runInstaller ?? spawnInstaller)(installer, installEnv);
  } finally {
    clearInterval(heartbeat);
  }
  if (code !== 0) return { ok: false, reason: installerFailed(code) };
  const after = findElectronBinary(packageDir, env);
  if (!after.ok) return { ok: false, reason: `Electron's installer finished, but ${after.reason}` };
  const runs = binaryRuns(after.path, env);
  if (!runs.ok) return { ok: false, reason: `Electron's installer finished, but ${runs.reason}` };
  log(`Electron is installed (${Math.round((Date.now() - started) / 1000)} s)`);
  return after;
}
