/**
 * One app instance for a browser: the app core on one profile, served on 127.0.0.1.
 * Prints one line when ready, with the one-time sign-in URL to open (see host-session.ts):
 *
 *   fieldsync web host "web-1" listening on http://127.0.0.1:PORT/, sign in at http://127.0.0.1:PORT/login?code=…
 *
 * That URL works once, in one browser, for 15 minutes; the line goes to stdout, the launcher's
 * own pipe. No further link is logged (logs get copied and shared): the launcher asks for a
 * fresh one over its IPC channel when it needs one (the one-screen viewer's frames).
 *
 * SIGTERM and SIGINT stop it: pages are disconnected, the sync client stops, the database
 * closes (changes not yet synced stay in it and sync at the next start). A second signal
 * exits at once. A bad setting prints one line and exits with code 2.
 * `npm run start:web` starts a server and several of these.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAppCore, type AppCore } from '../main/core/app-core.ts';
import { cleartextTokenWarning } from '../main/core/server-url.ts';
import { HOST_USAGE, HostConfigError, parseHostArgs, removeRetiredKey, RETIRED_KEY_FILE, type HostConfig } from './host-config.ts';
import { readLastPort, saveLastPort } from './last-port.ts';
import { startWebHost, WebHostError, type WebHost } from './web-host.ts';

function fail(message: string, code: number): never {
  process.stderr.write(`fieldsync web host: ${message}\n`);
  process.exit(code);
}

let config: HostConfig | null;
try {
  config = parseHostArgs(process.argv.slice(2), process.env);
} catch (err) {
  if (err instanceof HostConfigError) fail(`${err.message}\n${HOST_USAGE}`, 2);
  throw err;
}
if (config === null) {
  process.stdout.write(`${HOST_USAGE}\n`);
  process.exit(0);
}

const version = (JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
const log = (message: string): void => void process.stderr.write(`fieldsync web host [${config.profile}]: ${message}\n`);

let core: AppCore;
let host: WebHost;
try {
  const warning = cleartextTokenWarning(config.serverUrl);
  if (warning !== null) log(`warning: ${warning}`);
  core = await createAppCore({
    profileDir: config.profileDir,
    profile: config.profile,
    serverUrl: config.serverUrl,
    token: config.token,
    version,
    ...(config.syncIntervalMs !== null ? { sync: { intervalMs: config.syncIntervalMs } } : {}),
    log: (message, err) => log(`${message}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
  });
  try {
    if (removeRetiredKey(config.profileDir)) log(`deleted ${RETIRED_KEY_FILE}, the instance key of an older version: nothing uses it any more (sign-in links and sessions replaced it)`);
  } catch (err) {
    log(`could not delete the retired ${RETIRED_KEY_FILE}: ${(err as Error).message}`);
  }
  try {
    host = await startWebHost({ core, rendererDir: config.rendererDir, port: config.port, preferredPort: readLastPort(config.profileDir), log, frameAncestor: config.frameAncestor });
  } catch (err) {
    await core.close();
    throw err;
  }
} catch (err) {
  if (err instanceof HostConfigError || err instanceof WebHostError) fail(err.message, err instanceof HostConfigError ? 2 : 1);
  fail(`cannot start: ${(err as Error).message}`, 1);
}
saveLastPort(config.profileDir, host.port, log);
// Started by `npm run start:web` with an IPC channel (a pipe only the launcher holds): it asks
// for fresh one-time sign-in links here, for the one-screen viewer's frames.
process.on('message', (message: unknown) => {
  const m = message as { type?: unknown; id?: unknown } | null;
  if (m?.type === 'login-url' && typeof m.id === 'number') process.send?.({ type: 'login-url', id: m.id, url: host.loginUrl() });
});
process.channel?.unref();

let stopping = false;
const shutdown = (signal: string): void => {
  if (stopping) {
    log(`${signal} again, exiting now`);
    process.exit(1);
  }
  stopping = true;
  host
    .close()
    .then(() => core.close())
    .then(
      () => process.exit(0),
      (err: unknown) => {
        log(`shutdown failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
// The launcher's IPC channel closed: it is gone without stopping this host (killed, crashed).
process.on('disconnect', () => shutdown('the launcher is gone'));
// Ready only once every handler is in place: a SIGTERM sent as soon as this line is read would
// otherwise meet the default action (killed mid-start, nothing closed).
process.stdout.write(`fieldsync web host "${config.profile}" listening on ${host.url}, sign in at ${host.loginUrl()}\n`);
