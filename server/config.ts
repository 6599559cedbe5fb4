/**
 * The server's settings: command-line flags, then environment variables, then defaults.
 * Every bad value is a ConfigError with a message that names the setting; the entry point
 * prints it and exits with code 2, never with a stack trace.
 */
import { resolve } from 'node:path';
import type { CorsOrigins } from './cors.ts';
import { misspeltVariable } from './env-names.ts';
import { DEFAULT_LIMITS, type AppLimits } from './limits.ts';
import { NEWER_SCHEMA_EXIT_CODE } from './stores/newer-schema-exit.ts';
import { secretWeakness } from './secret-strength.ts';
import { proxyEntry } from './trust-proxy.ts';
import { formatDuration, parseDuration, parseSize } from './units.ts';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Every setting, typed and validated. The limits are those of limits.ts. */
export interface ServerConfig extends AppLimits {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** The token signing secret; undefined: generated once and kept in the data dir. */
  readonly secret: string | undefined;
  readonly compaction: boolean;
  /** Pull-only syncs answered in a thread of their own (SQLite; stores/pull-worker.ts); false: by the writer. */
  readonly pullThread: boolean;
  /** PostgreSQL instead of SQLite: several server processes may share the database. */
  readonly databaseUrl: string | undefined;
  /** PostgreSQL connections of this process (with databaseUrl). */
  readonly databasePoolMax: number;
  /** PostgreSQL: the longest wait for another process's schema migration, in ms. */
  readonly migrationWaitMs: number;
  /** How long a process that met a newer schema answers 503 before it exits (stores/newer-schema-exit.ts), in ms; 0: never. */
  readonly newerSchemaExitMs: number;
  readonly logLevel: LogLevel;
  /** Origins of the web pages allowed to call the server from a browser (cors.ts); undefined: none. */
  readonly corsOrigins: CorsOrigins | undefined;
  /**
   * Addresses and CIDR ranges of the reverse proxies whose `X-Forwarded-For` is believed
   * (trust-proxy.ts); undefined: none, the header is ignored.
   */
  readonly trustProxy: readonly string[] | undefined;
}

/** The shortest secret accepted: HS256 needs at least 256 bits of key. */
export const MIN_SECRET_LENGTH = 32;

interface Setting<K extends keyof ServerConfig> {
  readonly key: K;
  readonly flag: string;
  readonly env: string;
  readonly help: string;
  /** The default, as text shown in `--help` and parsed like a given value. */
  readonly fallback: string | undefined;
  readonly parse: (text: string, name: string) => ServerConfig[K];
}

const int = (min: number, max: number) => (text: string, name: string): number => {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
  return n;
};
const duration = (minMs: number, maxMs: number) => (text: string, name: string): number => {
  const ms = parseDuration(text);
  if (ms === null) throw new ConfigError(`${name} must be a duration such as 30s, 5m, 12h or 500ms, got "${text}"`);
  if (ms < minMs || ms > maxMs) throw new ConfigError(`${name} must be from ${formatDuration(minMs)} to ${formatDuration(maxMs)}, got "${text}"`);
  return ms;
};
const size = (min: number, max: number) => (text: string, name: string): number => {
  const bytes = parseSize(text);
  if (bytes === null) throw new ConfigError(`${name} must be a size such as 4MiB, 512KiB or 1048576 (bytes), got "${text}"`);
  if (bytes < min || bytes > max) throw new ConfigError(`${name} must be from ${min} to ${max} bytes, got "${text}"`);
  return bytes;
};
const nonEmpty = (text: string, name: string): string => {
  if (text.trim() === '') throw new ConfigError(`${name} must not be empty`);
  return text;
};
const postgresUrl = (text: string, name: string): string => {
  // Never echo the value: it usually holds a password.
  const url = text.trim();
  if (!/^postgres(ql)?:\/\/\S+$/i.test(url)) throw new ConfigError(`${name} must be a postgres:// or postgresql:// URL`);
  // What node-postgres (pg-connection-string) parses: a URL, or one with an empty host
  // (`user@/db?host=/socket`). Anything else failed only once the store opened, as "cannot
  // use the database (postgres): Invalid URL" with exit code 1, not naming the setting.
  if (!URL.canParse(url) && !URL.canParse(url.replace('@/', '@___DUMMY___/'))) {
    throw new ConfigError(`${name} is not a valid URL: write it as postgres://user:password@host:port/database, with each special character of the user or password percent-encoded (@ as %40, / as %2F)`);
  }
  return url;
};
const bool = (text: string, name: string): boolean => {
  const t = text.trim().toLowerCase();
  if (['on', 'true', '1', 'yes'].includes(t)) return true;
  if (['off', 'false', '0', 'no'].includes(t)) return false;
  throw new ConfigError(`${name} must be on or off, got "${text}"`);
};

const ORIGIN_FORM = 'scheme://host[:port], without a path or a trailing slash, such as https://app.example.com or http://localhost:5173';
/** One origin, written as browsers write it in `Origin` (lower case, no default port), or a ConfigError. */
const origin = (text: string, name: string): string => {
  // `null` is the Origin of sandboxed frames and file:// pages: any page can make itself one.
  if (text.toLowerCase() === 'null') throw new ConfigError(`${name} cannot allow the origin "null" (sandboxed frames and local files send it, and any page can): list real origins, or *`);
  const form = /^([a-z][a-z0-9+.-]*):\/\/([a-z0-9.-]+|\[[0-9a-f:.]+\])(:\d{1,5})?$/i.exec(text);
  if (form === null) throw new ConfigError(`${name} must list origins as ${ORIGIN_FORM}; got "${text}"`);
  const scheme = (form[1] as string).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') {
    // An app's own scheme (capacitor://localhost, tauri://localhost): browsers send it as written.
    if (form[3] !== undefined && Number(form[3].slice(1)) > 65535) throw new ConfigError(`${name}: the port of "${text}" is over 65535`);
    return `${scheme}://${(form[2] as string).toLowerCase()}${form[3] ?? ''}`;
  }
  try {
    return new URL(text).origin; // `https://App.example.com:443` is sent as `https://app.example.com`
  } catch {
    throw new ConfigError(`${name} must list origins as ${ORIGIN_FORM}; got "${text}"`);
  }
};
const corsOrigins = (text: string, name: string): CorsOrigins => {
  if (text.trim() === '*') return '*';
  const list = text.split(',').map((s) => s.trim());
  if (list.includes('*')) throw new ConfigError(`${name}: * allows every origin and stands alone; got "${text}"`);
  if (list.includes('')) throw new ConfigError(`${name} has an empty origin: give origins separated by commas, such as https://app.example.com,http://localhost:5173; got "${text}"`);
  return [...new Set(list.map((o) => origin(o, name)))];
};

const PROXY_FORM = 'IP addresses or CIDR ranges separated by commas, such as 127.0.0.1 or 10.0.0.0/8,::1';
const trustProxy = (text: string, name: string): readonly string[] => {
  const list = text.split(',').map((s) => s.trim());
  if (list.includes('')) throw new ConfigError(`${name} has an empty entry: give ${PROXY_FORM}; got "${text}"`);
  return [...new Set(list.map((item) => {
    const parsed = proxyEntry(item);
    if ('problem' in parsed) throw new ConfigError(`${name}: "${item}" ${parsed.problem}; give ${PROXY_FORM}`);
    return parsed.entry;
  }))];
};

const SETTINGS = [
  { key: 'port', flag: '--port', env: 'PORT', fallback: '8787', parse: int(0, 65535), help: 'TCP port; 0 picks a free one' },
  { key: 'host', flag: '--host', env: 'HOST', fallback: '127.0.0.1', parse: nonEmpty, help: 'address to listen on (0.0.0.0 for every interface)' },
  { key: 'dataDir', flag: '--data-dir', env: 'FIELDSYNC_DATA_DIR', fallback: './.data', parse: (t, n) => resolve(nonEmpty(t, n)), help: 'folder of the SQLite database and the generated secret' },
  {
    key: 'secret', flag: '--secret', env: 'FIELDSYNC_SECRET', fallback: undefined, help: `token signing secret, at least ${MIN_SECRET_LENGTH} random characters, from the variable only (the flag is refused: a command line is public on the machine); default: generated and kept in the data dir`,
    parse: (t, n) => {
      if (t.length < MIN_SECRET_LENGTH) throw new ConfigError(`${n} must be at least ${MIN_SECRET_LENGTH} characters long`);
      const weakness = secretWeakness(t);
      if (weakness !== null) throw new ConfigError(`${n} ${weakness}`);
      return t;
    },
  },
  { key: 'bodyLimit', flag: '--body-limit', env: 'FIELDSYNC_BODY_LIMIT', fallback: String(DEFAULT_LIMITS.bodyLimit), parse: size(1024, 1024 ** 3), help: 'largest request body' },
  { key: 'maxDriftMs', flag: '--max-drift', env: 'FIELDSYNC_MAX_DRIFT', fallback: formatDuration(DEFAULT_LIMITS.maxDriftMs), parse: duration(1000, 7 * 86_400_000), help: 'how far ahead of the server clock a message hlc may be' },
  { key: 'compaction', flag: '--compaction', env: 'FIELDSYNC_COMPACTION', fallback: 'on', parse: bool, help: 'drop messages that lost their cell (on or off)' },
  { key: 'databaseUrl', flag: '--database-url', env: 'FIELDSYNC_DATABASE_URL', fallback: undefined, parse: postgresUrl, help: 'PostgreSQL URL (postgres://user:password@host:port/db; with a password, from the variable only): several server processes share it; default: SQLite in the data dir' },
  { key: 'databasePoolMax', flag: '--database-pool-max', env: 'FIELDSYNC_DATABASE_POOL_MAX', fallback: '10', parse: int(1, 1000), help: 'PostgreSQL connections of this process' },
  {
    key: 'newerSchemaExitMs', flag: '--newer-schema-exit', env: 'FIELDSYNC_NEWER_SCHEMA_EXIT', fallback: '1m',
    parse: (t, n) => (t === 'off' ? 0 : duration(1000, 86_400_000)(t, n)),
    help: `once another process migrated the database past this one's code: how long it answers 503 (healthz too) before it exits ${NEWER_SCHEMA_EXIT_CODE}, or off`,
  },
  { key: 'migrationWaitMs', flag: '--migration-wait', env: 'FIELDSYNC_MIGRATION_WAIT', fallback: '5m', parse: duration(1000, 86_400_000), help: "PostgreSQL: how long a starting process waits for another's schema migration (or a lock it needs) before it exits 1" },
  {
    key: 'logLevel', flag: '--log-level', env: 'FIELDSYNC_LOG_LEVEL', fallback: 'info', help: LOG_LEVELS.join(', '),
    parse: (t, n) => {
      if (!(LOG_LEVELS as readonly string[]).includes(t)) throw new ConfigError(`${n} must be one of ${LOG_LEVELS.join(', ')}, got "${t}"`);
      return t as LogLevel;
    },
  },
  { key: 'heartbeatMs', flag: '--heartbeat', env: 'FIELDSYNC_HEARTBEAT', fallback: formatDuration(DEFAULT_LIMITS.heartbeatMs), parse: duration(100, 30_000), help: 'interval of the `: ping` comments on event streams' },
  { key: 'maxInflight', flag: '--max-inflight', env: 'FIELDSYNC_MAX_INFLIGHT', fallback: String(DEFAULT_LIMITS.maxInflight), parse: int(1, 100_000), help: 'sync requests handled at once (counted once their body has arrived); more get 429' },
  { key: 'maxInflightPerUser', flag: '--max-inflight-per-user', env: 'FIELDSYNC_MAX_INFLIGHT_PER_USER', fallback: String(DEFAULT_LIMITS.maxInflightPerUser), parse: int(1, 100_000), help: 'sync requests of one user at once, uploads included; more get 429' },
  { key: 'maxInflightBytes', flag: '--max-inflight-bytes', env: 'FIELDSYNC_MAX_INFLIGHT_BYTES', fallback: String(DEFAULT_LIMITS.maxInflightBytes), parse: size(1024, 64 * 1024 ** 3), help: 'bytes of the large bodies (64 KiB and more) handled or being read at once; more get 429' },
  { key: 'bodyTimeoutMs', flag: '--body-timeout', env: 'FIELDSYNC_BODY_TIMEOUT', fallback: formatDuration(DEFAULT_LIMITS.bodyTimeoutMs), parse: duration(100, 600_000), help: 'how long a body may stall, and take before it must average 32 KiB/s; slower bodies get 408' },
  { key: 'maxConnectionsPerAddress', flag: '--max-connections-per-address', env: 'FIELDSYNC_MAX_CONNECTIONS_PER_ADDRESS', fallback: String(DEFAULT_LIMITS.maxConnectionsPerAddress), parse: int(1, 1_000_000), help: 'open connections from one address (an IPv6 one: its /64); requests on as many more get 429, and more are closed as they open' },
  { key: 'maxConnections', flag: '--max-connections', env: 'FIELDSYNC_MAX_CONNECTIONS', fallback: String(DEFAULT_LIMITS.maxConnections), parse: int(1, 10_000_000), help: 'open connections in all; more are closed as they open' },
  { key: 'pullThread', flag: '--pull-thread', env: 'FIELDSYNC_PULL_THREAD', fallback: 'on', parse: bool, help: 'answer syncs that push nothing in a thread of their own, from a read-only connection (on or off; SQLite only)' },
  { key: 'parseWorkers', flag: '--parse-workers', env: 'FIELDSYNC_PARSE_WORKERS', fallback: String(DEFAULT_LIMITS.parseWorkers), parse: int(0, 64), help: 'worker threads that parse large bodies (0: in the SQLite store thread, or on the event loop with PostgreSQL); default: cores - 1' },
  { key: 'maxStreams', flag: '--max-streams', env: 'FIELDSYNC_MAX_STREAMS', fallback: String(DEFAULT_LIMITS.maxStreams), parse: int(1, 1_000_000), help: 'open event streams in all' },
  { key: 'maxStreamsPerUser', flag: '--max-streams-per-user', env: 'FIELDSYNC_MAX_STREAMS_PER_USER', fallback: String(DEFAULT_LIMITS.maxStreamsPerUser), parse: int(1, 100_000), help: 'open event streams of one user' },
  {
    key: 'corsOrigins', flag: '--cors-origins', env: 'FIELDSYNC_CORS_ORIGINS', fallback: undefined, parse: corsOrigins,
    help: 'origins of web apps on other origins allowed to sync from a browser (CORS), comma-separated (https://app.example.com,http://localhost:5173), or * for any; default: none (same-origin pages and non-browser clients only)',
  },
  {
    key: 'trustProxy', flag: '--trust-proxy', env: 'FIELDSYNC_TRUST_PROXY', fallback: undefined, parse: trustProxy,
    help: 'reverse proxies whose X-Forwarded-For gives the client address (for logs and per-address bounds), as IP addresses or CIDR ranges, comma-separated (127.0.0.1, 10.0.0.0/8,::1); default: none (X-Forwarded-For is ignored)',
  },
  { key: 'shutdownTimeoutMs', flag: '--shutdown-timeout', env: 'FIELDSYNC_SHUTDOWN_TIMEOUT', fallback: formatDuration(DEFAULT_LIMITS.shutdownTimeoutMs), parse: duration(0, 600_000), help: 'how long a shutdown waits for requests in flight' },
] as const satisfies readonly Setting<keyof ServerConfig>[];

/** Every setting's flag and variable: the one list that the README's table must match (operator-settings.test.ts). */
export const SETTING_NAMES: readonly { readonly flag: string; readonly env: string }[] = SETTINGS.map(({ flag, env }) => ({ flag, env }));

/** `--help` text. */
export function usage(): string {
  const lines = ['Usage: npm run server -- [options]   (or: node server/main.ts [options])', '', 'Every option can also be set with its environment variable; a flag wins.', ''];
  for (const s of SETTINGS) {
    // A help that says its default already (`default: cores - 1`) does not get another.
    const fallback = s.fallback !== undefined && !s.help.includes('default:') ? ` (default ${s.fallback})` : '';
    lines.push(`  ${`${s.flag} <value>`.padEnd(32)} ${s.env.padEnd(32)} ${s.help}${fallback}`);
  }
  return lines.join('\n');
}

const PUBLIC_COMMAND_LINE = 'the command line can be read by every user of this machine (ps, /proc/PID/cmdline)';

/** Whether a database URL carries a password (`user:password@`, or `?password=`). */
function hasPassword(text: string): boolean {
  const url = text.trim();
  for (const form of [url, url.replace('@/', '@___DUMMY___/')]) {
    if (!URL.canParse(form)) continue;
    const parsed = new URL(form);
    return parsed.password !== '' || parsed.searchParams.has('password');
  }
  return /:[^/@]*@/.test(url); // not a URL: postgresUrl refuses it, but never let a password by
}

/**
 * A credential on the command line is public on the machine for as long as the process runs
 * (round 59): with `--secret`, any other local user could sign a token for any user of the
 * server; with a password in `--database-url`, use its database. Refused, value unechoed.
 */
function refuseCredentialFlags(flags: ReadonlyMap<string, string>): void {
  if (flags.has('--secret')) {
    throw new ConfigError(`--secret on ${PUBLIC_COMMAND_LINE}: set FIELDSYNC_SECRET instead, or leave both unset for the secret kept in the data dir`);
  }
  const database = flags.get('--database-url');
  if (database !== undefined && hasPassword(database)) {
    throw new ConfigError(`--database-url holds a password, and ${PUBLIC_COMMAND_LINE}: set FIELDSYNC_DATABASE_URL instead`);
  }
}

/**
 * Reads flags (`--port 8787` or `--port=8787`) and environment variables. Throws ConfigError.
 * Returns null when `--help` was asked for.
 */
export function loadConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ServerConfig | null {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return null;
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const setting = SETTINGS.find((s) => s.flag === flag);
    if (!setting) throw new ConfigError(`unknown option: ${flag} (see --help)`);
    let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new ConfigError(`${flag} needs a value`);
    }
    flags.set(flag, value);
  }
  refuseCredentialFlags(flags);
  const misspelt = misspeltVariable(env, SETTINGS.map((s) => s.env));
  if (misspelt !== null) throw new ConfigError(`${misspelt.given} is not a setting: did you mean ${misspelt.meant}? (see --help)`);
  const config: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const fromFlag = flags.get(s.flag);
    const fromEnv = env[s.env];
    const text = fromFlag ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined) ?? s.fallback;
    config[s.key] = text === undefined ? undefined : (s.parse as (t: string, n: string) => unknown)(text, fromFlag !== undefined ? s.flag : fromEnv ? s.env : s.flag);
  }
  // Processes that share a PostgreSQL database must verify each other's tokens: a secret
  // generated per data dir would make each process refuse the tokens of the others.
  if (config.databaseUrl !== undefined && config.secret === undefined) {
    throw new ConfigError('FIELDSYNC_DATABASE_URL needs FIELDSYNC_SECRET: every server process sharing the database must use the same token secret');
  }
  return config as unknown as ServerConfig;
}
