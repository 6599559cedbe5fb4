/** `npm start -- [--instances N] [--server URL] [--user NAME] [--no-build]`. */
import { createHash } from 'node:crypto';
import { serverUrlError } from '../../src/main/core/server-url.ts';
import { isProfileName } from '../../src/main/electron/launch-args.ts';

export interface StartArgs {
  readonly instances: number;
  readonly serverUrl: string;
  readonly user: string;
  readonly build: boolean;
  /** Open the one-screen viewer in the system's browser (`npm run start:web`); `--no-open` turns it off. */
  readonly open: boolean;
}

export const MAX_INSTANCES = 8;
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8787';
/**
 * The longest --user: each instance's profile is `<user>-<N>` (instanceProfile), and a profile
 * is at most 64 characters (PROFILE_PATTERN), for N up to MAX_INSTANCES too.
 */
export const MAX_USER_LENGTH = 64 - `-${MAX_INSTANCES}`.length;
/** 40 bits of the name's hash, and as much of the name as still fits in 64 characters. */
const HASH_LENGTH = 10;
const HASHED_STEM = MAX_USER_LENGTH - 1 - HASH_LENGTH;
/**
 * The one rule for --user, of `npm start` and `npm run start:web`: a name whose profiles the
 * app and the browser host take (a profile starts with a letter or a digit; instanceProfile
 * makes one of any such name). A name refused here would have made every instance exit at its start.
 */
const USER_PATTERN = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.@-]{0,${MAX_USER_LENGTH - 1}}$`);

export class StartArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartArgsError';
  }
}

export const START_USAGE = `usage: npm start -- [--instances N] [--server URL] [--user NAME] [--no-build] [--no-open]
  --instances N   how many app windows to open side by side, 1 to ${MAX_INSTANCES} (default 3)
  --server URL    the sync server on this machine, at its root (default ${DEFAULT_SERVER_URL}; started here if none answers)
  --user NAME     the user all instances sign in as (default demo)
  --no-build      launch what out/ holds without building first
  --no-open       in a browser: do not open the one-screen view, only print its link`;

export function parseStartArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): StartArgs | null {
  let instances = 3;
  let serverUrl = env.FIELDSYNC_SERVER_URL || DEFAULT_SERVER_URL;
  let user = 'demo';
  let build = true;
  let open = true;
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] as string;
    const eq = raw.indexOf('=');
    const name = raw.startsWith('--') && eq !== -1 ? raw.slice(0, eq) : raw;
    const value = (): string => {
      const v = eq !== -1 && raw.startsWith('--') ? raw.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new StartArgsError(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--help':
      case '-h':
        return null;
      case '--instances': {
        const text = value();
        const n = /^\d+$/.test(text) ? Number(text) : NaN;
        if (!(n >= 1 && n <= MAX_INSTANCES)) throw new StartArgsError(`--instances must be a whole number from 1 to ${MAX_INSTANCES}, got "${text}"`);
        instances = n;
        break;
      }
      case '--server':
        serverUrl = value();
        break;
      case '--user':
        user = value();
        if (!USER_PATTERN.test(user)) {
          throw new StartArgsError(`--user must be 1 to ${MAX_USER_LENGTH} letters, digits or . _ @ -, starting with a letter or digit, got ${JSON.stringify(user.slice(0, 80))}`);
        }
        break;
      case '--no-build':
        build = false;
        break;
      case '--no-open':
        open = false;
        break;
      default:
        throw new StartArgsError(`unknown option: ${raw}`);
    }
  }
  const why = serverUrlError(serverUrl);
  // The address is not echoed but when it is no URL: it may hold a password.
  if (why === 'is not a URL') throw new StartArgsError(`--server must be a URL such as ${DEFAULT_SERVER_URL}, got "${serverUrl}"`);
  if (why !== null) throw new StartArgsError(`--server ${why}`);
  // It was cut to its origin unsaid. The launchers sign the demo's token with a server's secret
  // on this machine, and start one there when none answers: at the root, never under a path.
  const url = new URL(serverUrl);
  if (url.pathname !== '/') throw new StartArgsError(`--server is a server on this machine, at its root: ${url.origin}, without ${url.pathname}`);
  return { instances, serverUrl: url.origin, user, build, open };
}

/**
 * The profile of instance `i` (0-based) of `user`, in the app and in the browser alike: each
 * user's own, so that another user never opens (and pushes into their account) a profile
 * that holds someone else's data. A name of lower-case letters, digits and dashes is its own
 * (`demo-1`). Any other ends in a hash of the exact name: a profile takes no `.` or `@`, and
 * macOS's and Windows's disks ignore case, so `Demo`, `demo`, `a.b` and `a_b` would otherwise
 * share one folder. The hashed form holds a `_`, which no plain one does.
 */
export function instanceProfile(i: number, user: string): string {
  const plain = /^[a-z0-9][a-z0-9-]*$/.test(user);
  const name = plain ? user : `${user.toLowerCase().replace(/[^a-z0-9-]/g, '_').slice(0, HASHED_STEM)}_${createHash('sha256').update(user).digest('hex').slice(0, HASH_LENGTH)}`;
  const profile = `${name}-${i + 1}`;
  // parseStartArgs refuses every user this could fail for: a bug here, not a bad flag.
  if (!isProfileName(profile)) throw new Error(`no valid profile for user ${JSON.stringify(user)}: ${JSON.stringify(profile)}`);
  return profile;
}

/** The launch of instance `i` (0-based) of `count`: its profile and its command-line arguments. */
export function instanceLaunch(i: number, count: number, serverUrl: string, user: string): { profile: string; args: string[] } {
  const profile = instanceProfile(i, user);
  return { profile, args: ['--profile', profile, '--server', serverUrl, '--tile', `${i + 1}/${count}`] };
}

/** Whether this start script may start a server for the URL: only on this machine, over http. */
export function canStartServerAt(serverUrl: string): { host: string; port: number } | null {
  const url = new URL(serverUrl);
  if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) return null;
  return { host: url.hostname === 'localhost' ? '127.0.0.1' : url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 80 };
}
