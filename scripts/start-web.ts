/**
 * `npm run start:web -- --instances 3`: the app in a browser. Builds the renderer (or reuses
 * an up-to-date build), starts the reference server, mints a token for one demo user, and
 * starts one browser host per instance, each on its own profile and free port. Prints the
 * instances' URLs on stdout, one per line; open them side by side and watch them converge.
 * Ctrl-C stops everything it started.
 *
 *   --instances N      how many instances (1 to 9, default 3); profiles web-1 … web-N
 *   --data-dir DIR     where the server's database and the profiles live (default .data/web)
 *   --user NAME        the user the instances sync as (default demo)
 *   --server-url URL   use a server that is already running instead of starting one; the
 *                      token is FIELDSYNC_TOKEN, or minted with that server's secret
 *                      (FIELDSYNC_SECRET, or the one in FIELDSYNC_DATA_DIR, as `npm run token`)
 */
import { join, resolve } from 'node:path';
import { createAuthenticator } from '../server/auth.ts';
import { loadSecret } from '../server/secret.ts';
import { startNodeProcess, type NodeProcess } from './processes.ts';
import { ensureRendererBuild } from './renderer-build.ts';

export interface StartWebOptions {
  readonly instances: number;
  readonly dataDir: string;
  readonly user: string;
  readonly serverUrl: string | null;
}

const USAGE = 'usage: npm run start:web -- [--instances 3] [--data-dir .data/web] [--user demo] [--server-url URL]';

export function parseStartWebArgs(argv: readonly string[], cwd: string = process.cwd()): StartWebOptions | null {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return null;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!['--instances', '--data-dir', '--user', '--server-url'].includes(name)) throw new Error(`unknown argument: ${arg}`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new Error(`${name} needs a value`);
    values.set(name, value);
  }
  const text = values.get('--instances') ?? '3';
  const instances = Number(text);
  if (!/^\d+$/.test(text) || instances < 1 || instances > 9) throw new Error(`--instances must be 1 to 9, got "${text}"`);
  const user = values.get('--user') ?? 'demo';
  if (!/^[\w.@-]{1,64}$/.test(user)) throw new Error('--user must be 1 to 64 letters, digits, or . _ @ -');
  return { instances, dataDir: resolve(cwd, values.get('--data-dir') ?? join('.data', 'web')), user, serverUrl: values.get('--server-url') ?? null };
}

async function main(): Promise<void> {
  let options: StartWebOptions | null;
  try {
    options = parseStartWebArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`start:web: ${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (options === null) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  const started: NodeProcess[] = [];
  let stoppingSince = 0;
  const stopAll = async (code: number): Promise<never> => {
    stoppingSince = Date.now();
    await Promise.all([...started].reverse().map((p) => p.stop('SIGTERM').catch(() => undefined)));
    process.exit(code);
  };
  // Ctrl-C under npm arrives twice (from the terminal, and forwarded by npm): a signal within
  // a second of the first is the same request. A later one means "now": kill and exit.
  const onSignal = (): void => {
    if (stoppingSince === 0) void stopAll(0);
    else if (Date.now() - stoppingSince > 1000) {
      for (const p of started) void p.stop('SIGKILL');
      process.exit(1);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const rendererDir = ensureRendererBuild({ log: say });

    let serverUrl = options.serverUrl;
    let token = process.env.FIELDSYNC_TOKEN?.trim() || null;
    const serverDataDir = serverUrl ? (process.env.FIELDSYNC_DATA_DIR ?? '.data') : join(options.dataDir, 'server');
    if (!serverUrl) {
      const server = await startNodeProcess({
        name: 'server',
        args: ['server/main.ts'],
        env: { PORT: process.env.PORT ?? '0', FIELDSYNC_DATA_DIR: serverDataDir, FIELDSYNC_LOG_LEVEL: process.env.FIELDSYNC_LOG_LEVEL ?? 'warn' },
        detached: true,
        onLine: (line) => say(`[server] ${line}`),
      });
      started.push(server);
      serverUrl = server.url;
      token = null; // a token for this server, below
    }
    token ??= await createAuthenticator(loadSecret(serverDataDir, process.env.FIELDSYNC_SECRET)).sign(options.user, 30 * 86_400);

    const hosts = await Promise.all(
      Array.from({ length: options.instances }, (_, i) => {
        const profile = `web-${i + 1}`;
        return startNodeProcess({
          name: profile,
          args: ['src/web-host/main.ts', '--profile', profile, '--profile-dir', join(options.dataDir, profile), '--server-url', serverUrl as string, '--renderer-dir', rendererDir],
          env: { FIELDSYNC_TOKEN: token as string },
          detached: true,
          onLine: (line) => say(`[${profile}] ${line}`),
        });
      }),
    );
    started.push(...hosts);
    say(`fieldsync: server ${serverUrl}, user "${options.user}", data in ${options.dataDir}`);
    say(`fieldsync: ${hosts.length} instance${hosts.length === 1 ? '' : 's'}; open them side by side. Ctrl-C stops everything.`);
    for (const host of hosts) process.stdout.write(`${host.url}/\n`);

    // If any of them stops on its own, stop the rest: a half-running demo only confuses.
    const first = await Promise.race(started.map((p) => p.exited.then((code) => ({ p, code }))));
    if (stoppingSince === 0) {
      say(`fieldsync: ${first.p.name} exited (${first.code}); stopping the others`);
      await stopAll(1);
    }
  } catch (err) {
    say(`start:web: ${(err as Error).message}`);
    await stopAll(1);
  }
}

if (process.argv[1] === import.meta.filename) await main();
