/**
 * The packaged app, started once: the release workflow runs the executable electron-builder
 * made (fuses flipped, app.asar with its integrity hash, better-sqlite3's .node unpacked,
 * signed or ad-hoc signed) with `--smoke-test`, and checks the one line it prints
 * (src/main/electron/main.ts, runSmokeTest). The Electron end-to-end suite cannot drive that
 * binary: Playwright passes --inspect, which the fuses switch off.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { METHOD_NAMES } from '../../src/shared/api-methods.ts';

export const SMOKE_PREFIX = 'fieldsync-smoke: ';
/** The profile the smoke run opens, in a temporary data root. */
export const SMOKE_PROFILE = 'smoke';

export class SmokeTestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SmokeTestError';
  }
}

export interface SmokeReport {
  readonly title: string;
  readonly page: {
    readonly api: string;
    readonly methods: readonly string[];
    readonly require: string;
    readonly process: string;
    readonly rows: number | string | null;
    readonly notFound: string | null;
  };
}

/**
 * What a working app reports: the window titled with the profile, the page given
 * `window.fieldsync` with every API method and no Node, a fresh profile's empty table, and an
 * AppError that kept its code across the contextBridge.
 */
export function expectedSmokeReport(productName: string, profile: string): SmokeReport {
  return {
    title: `${productName} — ${profile}`,
    page: { api: 'object', methods: [...METHOD_NAMES, 'subscribe'].sort(), require: 'undefined', process: 'undefined', rows: 0, notFound: 'not_found' },
  };
}

export interface SmokeRun {
  /** stdout and stderr together. */
  readonly output: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Whether the profile's database file was created. */
  readonly databaseCreated: boolean;
}

/** The run's verdict: the report when everything holds, else a SmokeTestError saying what did not. */
export function checkSmokeRun(run: SmokeRun, expected: SmokeReport): SmokeReport {
  const tail = `\n--- its output (last 4000 characters) ---\n${run.output.slice(-4000)}`;
  const line = run.output.split(/\r?\n/).find((l) => l.startsWith(SMOKE_PREFIX));
  if (line === undefined) throw new SmokeTestError(`the app printed no "${SMOKE_PREFIX.trim()}" line (exit code ${run.code}, signal ${run.signal})${tail}`);
  // main.ts's start-up failure in --smoke-test mode: `fieldsync-smoke: failed <error>`.
  if (line.startsWith(`${SMOKE_PREFIX}failed `)) throw new SmokeTestError(`the app could not start: ${line.slice(SMOKE_PREFIX.length + 'failed '.length)}${tail}`);
  let report: unknown;
  try {
    report = JSON.parse(line.slice(SMOKE_PREFIX.length));
  } catch {
    throw new SmokeTestError(`the "${SMOKE_PREFIX.trim()}" line is not JSON: ${line.slice(0, 300)}${tail}`);
  }
  if (!isDeepStrictEqual(report, expected)) {
    throw new SmokeTestError(`the app reported ${JSON.stringify(report)}\nexpected ${JSON.stringify(expected)}${tail}`);
  }
  if (run.code !== 0) throw new SmokeTestError(`the app reported as expected but exited with code ${run.code} (signal ${run.signal})${tail}`);
  if (!run.databaseCreated) throw new SmokeTestError(`the app reported as expected but created no database for profile "${SMOKE_PROFILE}"${tail}`);
  return report as SmokeReport;
}

export interface AppNames {
  /** package.json's productName: the .app's and the .exe's name, and the data folder's. */
  readonly productName: string;
  /** electron-builder.yml's linux.executableName. */
  readonly executableName: string;
}

/**
 * The unpacked app's executable under electron-builder's output folder, for `platform`
 * (a process.platform): linux-unpacked/<executableName> (linux-arm64-unpacked/...),
 * mac/<productName>.app/Contents/MacOS/<productName> (mac-arm64/...), win-unpacked/<productName>.exe.
 * Exactly one must exist: with two architectures there, the caller names the executable.
 */
export function packagedExecutable(distDir: string, platform: NodeJS.Platform, names: AppNames): string {
  const layouts: Partial<Record<NodeJS.Platform, { dir: RegExp; file: string }>> = {
    linux: { dir: /^linux(-[a-z0-9]+)?-unpacked$/, file: names.executableName },
    darwin: { dir: /^mac(-[a-z0-9]+)?$/, file: join(`${names.productName}.app`, 'Contents', 'MacOS', names.productName) },
    win32: { dir: /^win(-[a-z0-9]+)?-unpacked$/, file: `${names.productName}.exe` },
  };
  const layout = layouts[platform];
  if (!layout) throw new SmokeTestError(`no packaged app layout for platform ${platform}`);
  const entries = existsSync(distDir) ? readdirSync(distDir) : [];
  const found = entries.filter((d) => layout.dir.test(d)).map((d) => join(distDir, d, layout.file)).filter((f) => existsSync(f));
  if (found.length !== 1) {
    throw new SmokeTestError(`expected one packaged ${platform} app in ${distDir}, found ${found.length === 0 ? 'none' : found.join(', ')}`);
  }
  return found[0] as string;
}

export interface RunOptions {
  readonly executable: string;
  /** A fresh, empty folder: FIELDSYNC_DATA_ROOT for the run. */
  readonly dataRoot: string;
  readonly productName: string;
  readonly timeoutMs: number;
  readonly env?: NodeJS.ProcessEnv;
}

/** Starts the executable with --smoke-test on a fresh profile and waits for it to exit (or kills it). */
export async function runPackagedApp(o: RunOptions): Promise<SmokeRun> {
  const env: NodeJS.ProcessEnv = { ...(o.env ?? process.env), FIELDSYNC_DATA_ROOT: o.dataRoot, FIELDSYNC_TOKEN: '' };
  // No server (an empty --server is refused), and nothing that would make it something else.
  for (const name of ['FIELDSYNC_SERVER_URL', 'ELECTRON_RUN_AS_NODE', 'ELECTRON_RENDERER_URL', 'NODE_OPTIONS']) delete env[name];
  // Chromium refuses to start its sandbox as root (a container); CI runners are not root.
  const args = ['--profile', SMOKE_PROFILE, '--smoke-test', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])];
  // Its own process group (POSIX), so that a timeout stops its helpers too, not only the app.
  const group = process.platform !== 'win32';
  const child = spawn(o.executable, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: group });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timers: NodeJS.Timeout[] = [];
  const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'timeout'>((resolve, reject) => {
    child.once('error', reject);
    // 'close' comes once its output is read to the end; a process it left behind holding the
    // pipes must not hold the release up, so 'exit' is enough after a grace period.
    child.once('close', (code, signal) => resolve({ code, signal }));
    child.once('exit', (code, signal) => void timers.push(setTimeout(() => resolve({ code, signal }), 5000)));
    timers.push(setTimeout(() => {
      try {
        if (group && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        child.kill('SIGKILL'); // the group is gone already
      }
      child.stdout.destroy();
      child.stderr.destroy();
      resolve('timeout');
    }, o.timeoutMs));
  }).finally(() => timers.forEach(clearTimeout));
  if (ended === 'timeout') throw new SmokeTestError(`the app did not exit within ${o.timeoutMs / 1000} s\n--- its output ---\n${output.slice(-4000)}`);
  const { code, signal } = ended;
  const databaseCreated = existsSync(join(o.dataRoot, o.productName, 'profiles', SMOKE_PROFILE, 'fieldsync.db'));
  return { output, code, signal, databaseCreated };
}
