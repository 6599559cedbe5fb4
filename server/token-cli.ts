/**
 * `npm run token -- <userId> [--ttl 30d]`: prints a token for that user, signed with the
 * server's secret (FIELDSYNC_SECRET, or the one kept in the data dir), and nothing else.
 * The other flag is the server's (`--data-dir`; its `--secret` is refused, as the server refuses
 * it: a command line is public on the machine); any other is refused by
 * name (passed on, `--user alice` read as a flag and its value, and said "the userId is
 * missing"). A bad argument exits with code 2.
 */
import { AuthError, createAuthenticator } from './auth.ts';
import { ConfigError, loadConfig } from './config.ts';
import { loadSecret } from './secret.ts';
import { formatDuration, parseDuration } from './units.ts';

const MAX_TTL_MS = 3650 * 86_400_000;
/** The server's flags that say where the secret is: passed on to its configuration (which refuses `--secret`, saying why). */
const SERVER_FLAGS = ['--data-dir', '--secret'];
const USAGE = [
  'usage: [FIELDSYNC_SECRET=…] npm run token -- <userId> [--ttl 30d] [--data-dir DIR]',
  '  --ttl: how long the token is valid, such as 30d, 12h, 15m or 3600s (default 30d); the server',
  '    accepts it 30 s more, its clock leeway for the issuer (docs/protocol.md §6)',
  "  --data-dir: the server's (also FIELDSYNC_DATA_DIR); the token is signed with FIELDSYNC_SECRET,",
  '    or the secret kept in the data dir (default ./.data), as the server does',
].join('\n');

function fail(message: string): never {
  process.stderr.write(`fieldsync token: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let userId: string | undefined;
let ttlText = '30d';
const rest: string[] = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i] as string;
  if (arg === '--help' || arg === '-h') {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  } else if (arg === '--ttl' || arg.startsWith('--ttl=')) {
    const value = arg === '--ttl' ? args[++i] : arg.slice(6);
    if (value === undefined) fail('--ttl needs a value');
    ttlText = value;
  } else if (arg.startsWith('-')) {
    const name = arg.split('=')[0] as string;
    if (!SERVER_FLAGS.includes(name)) fail(`unknown option ${name.slice(0, 80)}: the options are --ttl and --data-dir`);
    rest.push(arg);
    if (!arg.includes('=')) {
      const value = args[++i];
      if (value === undefined) fail(`${name} needs a value`);
      rest.push(value);
    }
  } else if (userId === undefined) {
    userId = arg;
  } else {
    fail(`unexpected argument: ${arg}`);
  }
}
if (userId === undefined || userId.trim() === '') fail('the userId is missing');
const ttlMs = parseDuration(ttlText);
if (ttlMs === null || ttlMs < 1000 || ttlMs > MAX_TTL_MS) {
  fail(`--ttl must be a duration from 1s to ${formatDuration(MAX_TTL_MS)} such as 30d, 12h, 15m or 3600s, got "${ttlText}"`);
}

try {
  const config = loadConfig(rest, process.env);
  if (config === null) fail('unexpected --help');
  const auth = createAuthenticator(loadSecret(config.dataDir, config.secret, (file) => {
    // No server has used this data dir yet: say so, since a server that runs with another
    // data dir (or FIELDSYNC_SECRET) will refuse the token, and only say "invalid token".
    process.stderr.write(`fieldsync token: there was no secret in ${config.dataDir}: made a new one (${file}). Only a server started with this data dir accepts the token; for a running server, give its --data-dir or FIELDSYNC_SECRET.\n`);
  }));
  process.stdout.write(`${await auth.sign(userId, Math.floor(ttlMs / 1000))}\n`);
} catch (err) {
  if (err instanceof ConfigError || err instanceof AuthError) fail(err.message);
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`fieldsync token: ${message}\n`);
  process.exit(1);
}
