/**
 * The browser host's settings, from flags and environment variables (a flag wins). The
 * token is only ever read from the environment: flags show in process lists.
 *
 *   node src/web-host/main.ts --profile web-1 [--profile-dir DIR] [--server URL]
 *                             [--port 0] [--renderer-dir out/renderer]
 *   FIELDSYNC_TOKEN=…  FIELDSYNC_SERVER_URL=…
 */
import { lstatSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serverUrlError } from '../main/core/server-url.ts';
import { isProfileName, parseSyncIntervalArg } from '../main/electron/launch-args.ts';
import { isViewerOrigin } from './host-security.ts';

export interface HostConfig {
  readonly profile: string;
  readonly profileDir: string;
  readonly serverUrl: string | null;
  readonly token: string | null;
  readonly port: number;
  readonly rendererDir: string;
  /** The one-screen viewer's origin, allowed to frame this instance (`--frame-ancestor`); null for none. */
  readonly frameAncestor: string | null;
  /** `--sync-interval-ms`: how often the core syncs on a timer (0: never); null for the sync client's default (30 s). */
  readonly syncIntervalMs: number | null;
}

export class HostConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostConfigError';
  }
}

export const HOST_USAGE = `usage: node src/web-host/main.ts --profile NAME [options]
  --profile NAME        the instance's profile name (letters, digits, _ -)
  --profile-dir DIR     its data folder (default ./.data/web/NAME)
  --server URL          the sync server (or FIELDSYNC_SERVER_URL); the token comes from FIELDSYNC_TOKEN
  --port N              port on 127.0.0.1 (default 0: a free one)
  --renderer-dir DIR    the built renderer (default out/renderer)
  --frame-ancestor URL  the one-screen viewer allowed to show it in a frame (http://127.0.0.1:PORT)
  --sync-interval-ms N  sync on a timer every N ms besides writes and pokes (default 30000; 0: never)`;

// `--server`, as in `npm start` and the Electron app; `--server-url` is its former name, still taken.
const FLAGS = new Set(['--profile', '--profile-dir', '--server', '--server-url', '--port', '--renderer-dir', '--frame-ancestor', '--sync-interval-ms']);

/** The settings, or null for `--help`. Throws HostConfigError with one clear line. */
export function parseHostArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, cwd: string = process.cwd()): HostConfig | null {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return null;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!FLAGS.has(name)) throw new HostConfigError(`unknown argument: ${arg}`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new HostConfigError(`${name} needs a value`);
    flags.set(name, value);
  }
  const profile = flags.get('--profile');
  if (profile === undefined) throw new HostConfigError('--profile is required');
  // Electron's rule (it names a folder), so that a launcher's profile is good for either.
  if (!isProfileName(profile)) throw new HostConfigError(`--profile must be 1 to 64 letters, digits, dashes or underscores, starting with a letter or digit (not a name Windows keeps for a device, such as nul), got "${profile}"`);

  const portText = flags.get('--port') ?? '0';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new HostConfigError(`--port must be 0 to 65535, got "${portText}"`);

  const serverUrl = (flags.get('--server') ?? flags.get('--server-url') ?? env.FIELDSYNC_SERVER_URL ?? '').trim() || null;
  const why = serverUrl === null ? null : serverUrlError(serverUrl);
  // The address is not echoed: it may hold a password.
  if (why !== null) throw new HostConfigError(`--server ${why}`);
  const token = env.FIELDSYNC_TOKEN?.trim() || null;
  if (serverUrl !== null && token === null) throw new HostConfigError('a server URL needs a token in FIELDSYNC_TOKEN (see `npm run token`)');

  const frameAncestor = flags.get('--frame-ancestor') ?? null;
  if (frameAncestor !== null && !isViewerOrigin(frameAncestor)) throw new HostConfigError(`--frame-ancestor must be http://127.0.0.1:PORT, got "${frameAncestor}"`);

  return {
    profile,
    frameAncestor,
    profileDir: resolve(cwd, flags.get('--profile-dir') ?? join('.data', 'web', profile)),
    serverUrl,
    token,
    port,
    rendererDir: resolve(cwd, flags.get('--renderer-dir') ?? join('out', 'renderer')),
    syncIntervalMs: parseSyncIntervalArg(flags.get('--sync-interval-ms'), (m) => new HostConfigError(m)),
  };
}

/**
 * The instance key of versions before one-time sign-in links: the cookie every browser held
 * was derived from it, and anyone who stole that cookie could use it until this file was
 * deleted (audit E, finding 1). Nothing reads it any more, so it is only a secret lying
 * around: the host deletes it from its profile when it starts.
 */
export const RETIRED_KEY_FILE = 'web-host.key';

/** Deletes the retired key file from `profileDir` (a file or a link, never a folder); returns whether there was one. */
export function removeRetiredKey(profileDir: string): boolean {
  const file = join(profileDir, RETIRED_KEY_FILE);
  try {
    if (lstatSync(file).isDirectory()) return false;
    unlinkSync(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
