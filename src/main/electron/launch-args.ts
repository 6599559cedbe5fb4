/**
 * What an instance is started with: its profile, the sync server, and its place on screen.
 * Pure functions, so they are tested under plain Node.
 *
 *   fieldsync --profile demo-2 --server http://127.0.0.1:8787 --tile 2/3
 *   FIELDSYNC_TOKEN=... (the token comes from the environment, never the command line,
 *   where any user of the machine could read it in the process list)
 */
import { join } from 'node:path';
import { serverUrlError } from '../core/server-url.ts';

export const DEFAULT_PROFILE = 'default';
/** Profile names become folder names: letters, digits, `-` and `_` only, so `--profile ../x` cannot escape. */
export const PROFILE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * Names Windows cannot give a folder: its devices (`CON`, `NUL`, `COM1`..., also with an
 * extension, in any case), and a name ending in a dot, which it drops (Microsoft's "Naming
 * Files, Paths, and Namespaces").
 */
const windowsReserved = (name: string): boolean => /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/i.test(name) || name.endsWith('.');

/** A profile name the app takes: PROFILE_PATTERN's, and a folder on Windows too (`--profile nul` named its null device). */
export const isProfileName = (name: string): boolean => PROFILE_PATTERN.test(name) && !windowsReserved(name);

export interface Tile {
  /** 0-based position. */
  readonly index: number;
  readonly count: number;
}

export interface LaunchArgs {
  readonly profile: string;
  readonly serverUrl: string | null;
  readonly token: string | null;
  readonly tile: Tile | null;
  /** `--sync-interval-ms`: how often it syncs on a timer (0: never); null for the sync client's default (30 s). */
  readonly syncIntervalMs: number | null;
}

export class LaunchArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LaunchArgsError';
  }
}

/** The value of `--name value` or `--name=value`; the last one wins. */
function flag(argv: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === name) value = argv[++i] ?? '';
    else if (arg.startsWith(`${name}=`)) value = arg.slice(name.length + 1);
  }
  return value;
}

export function parseProfileArg(argv: readonly string[]): string {
  const profile = flag(argv, '--profile') ?? DEFAULT_PROFILE;
  if (!isProfileName(profile)) {
    throw new LaunchArgsError(`--profile must be 1 to 64 letters, digits, "-" or "_" (starting with a letter or digit; not a name Windows keeps for a device, such as nul), got ${JSON.stringify(profile.slice(0, 80))}`);
  }
  return profile;
}

/** `--tile 2/3`: the second of three windows side by side (1-based on the command line). */
export function parseTileArg(argv: readonly string[]): Tile | null {
  const text = flag(argv, '--tile');
  if (text === undefined) return null;
  const m = /^(\d{1,2})\/(\d{1,2})$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new LaunchArgsError(`--tile must look like 2/3 (the 2nd of 3), got ${JSON.stringify(text.slice(0, 20))}`);
  return { index: index - 1, count };
}

/** setTimeout's longest wait (about 24.8 days): a longer one fires at once, a sync loop. */
const MAX_INTERVAL_MS = 2_147_483_647;

/**
 * `--sync-interval-ms N`: how often the app syncs on a timer besides after its own writes and
 * at the server's pokes, in ms; 0 for never (the end-to-end tests, so that an instance that
 * writes nothing can learn of the others' writes only through pokes). Null when not given.
 * Shared with the browser host (host-config.ts), whose error class `fail` makes.
 */
export function parseSyncIntervalArg(text: string | undefined, fail: (message: string) => Error): number | null {
  if (text === undefined) return null;
  const ms = Number(text);
  if (!/^\d{1,10}$/.test(text) || ms > MAX_INTERVAL_MS) throw fail(`--sync-interval-ms must be a whole number of ms from 0 (never) to ${MAX_INTERVAL_MS}, got ${JSON.stringify(text.slice(0, 20))}`);
  return ms;
}

export function parseLaunchArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): LaunchArgs {
  const serverUrl = flag(argv, '--server') ?? env.FIELDSYNC_SERVER_URL ?? null;
  const why = serverUrl ? serverUrlError(serverUrl) : null;
  // The address is not echoed: it may hold a password.
  if (why !== null) throw new LaunchArgsError(`--server ${why}`);
  return {
    profile: parseProfileArg(argv),
    serverUrl: serverUrl || null,
    token: env.FIELDSYNC_TOKEN?.trim() || null,
    tile: parseTileArg(argv),
    syncIntervalMs: parseSyncIntervalArg(flag(argv, '--sync-interval-ms'), (m) => new LaunchArgsError(m)),
  };
}

/**
 * The app's name as Electron gives it (`app.getName()`: `productName` of package.json, which
 * electron-builder also takes), checked: it names the app's data folder, so a fork renamed
 * there gets a folder (and a single-instance lock) of its own. The reference app's is
 * `Fieldsync`, the folder it always used.
 */
export function checkAppName(name: string): string {
  const unfit = /[\\/:*?"<>|]/.test(name) || [...name].some((c) => c.charCodeAt(0) < 0x20) || /^\.+$/.test(name) || windowsReserved(name);
  if (name.trim() !== name || name === '' || name.length > 64 || unfit) {
    throw new LaunchArgsError(`the app's name (productName in package.json) must be 1 to 64 characters that can name a folder, got ${JSON.stringify(name.slice(0, 80))}`);
  }
  return name;
}

/** Each profile's own data directory, under the app's folder in the user's app data. */
export function profileDataDir(appDataDir: string, appName: string, profile: string): string {
  if (!isProfileName(profile)) throw new LaunchArgsError(`invalid profile name: ${profile}`);
  return join(appDataDir, checkAppName(appName), 'profiles', profile);
}

/** The window title: the app's name, and the profile that tells windows side by side apart. */
export function windowTitle(appName: string, profile: string): string {
  return `${appName} — ${profile}`;
}
