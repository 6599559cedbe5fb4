/**
 * `npm run start:web -- --instances 3`: the app in a browser, where Electron is not at hand.
 * The same options as `npm start`: builds (or reuses an up-to-date build), makes sure a sync
 * server runs (the one answering at `--server`, default http://127.0.0.1:8787, or one
 * started here), signs a token for the demo user with that server's secret, and starts one
 * browser host per instance (`src/web-host/main.ts`), each with its own profile, named after
 * the user as `npm start`'s (`demo-1`, `demo-2`, ...), in `.data/web` (or FIELDSYNC_WEB_DIR),
 * and its own free port on 127.0.0.1.
 *
 * Shows every instance on one screen: a viewer page (src/web-host/viewer/) with one frame per
 * instance, each instance still isolated with its own sessions (no cookie: see
 * src/web-host/host-session.ts). Prints the viewer's one-time sign-in URL on stdout, then each
 * instance's, one per line (everything else goes to stderr), and opens the viewer's in the
 * system's browser where there is a screen (not with `--no-open`, under CI or tests:
 * lib/open-browser.ts). Each link works once, in one browser, within 15 minutes; Enter in its
 * terminal prints a fresh set the same way (never to a log). Ctrl-C stops everything it started.
 */
import { join, resolve } from 'node:path';
import { loadConfig } from '../server/index.ts';
import { loadSecret } from '../server/secret.ts';
import { ensureAppBuild, rendererDir } from './app-build.ts';
import { startViewer, type Viewer } from '../src/web-host/viewer/viewer-server.ts';
import { openInBrowser, shouldOpenBrowser } from './lib/open-browser.ts';
import { demoToken, portAnswers, portTakenMessage, serverIsUp, unprovenMessage } from './lib/server-health.ts';
import { START_USAGE, StartArgsError, canStartServerAt, instanceProfile, parseStartArgs, type StartArgs } from './lib/start-args.ts';
import { startNodeProcess, type NodeProcess } from './processes.ts';

const USAGE = `${START_USAGE.replace('npm start --', 'npm run start:web --').replace('how many app windows to open side by side', 'how many instances (browser tabs)')}
  FIELDSYNC_WEB_DIR        where the instances' profiles are kept (default .data/web)
  FIELDSYNC_RENDERER_DIR   serve this renderer build instead of out/renderer (with --no-build)`;

const say = (line: string): void => void process.stderr.write(`start:web: ${line}\n`);

let args: StartArgs | null;
try {
  args = parseStartArgs(process.argv.slice(2), process.env);
} catch (err) {
  if (err instanceof StartArgsError) {
    process.stderr.write(`start:web: ${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
  throw err;
}
if (args === null) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const { instances, serverUrl, user } = args;
/**
 * The profile of instance `i` (0-based): the user's own, as `npm start`'s. A profile holds what
 * its user synced: opened as another user, it would show their lists and push them into this
 * user's account.
 */
const webProfile = (i: number): string => instanceProfile(i, user);
const webDir = resolve(process.env.FIELDSYNC_WEB_DIR || join('.data', 'web'));
const renderer = process.env.FIELDSYNC_RENDERER_DIR ? resolve(process.env.FIELDSYNC_RENDERER_DIR) : rendererDir;

const started: NodeProcess[] = [];
let viewer: Viewer | null = null;
let removeOpenFile = (): void => {};
let stoppingSince = 0;
async function stopAll(code: number): Promise<never> {
  stoppingSince = Date.now();
  removeOpenFile();
  await Promise.all([...started].reverse().map((p) => p.stop('SIGTERM').catch(() => undefined)));
  await viewer?.close();
  process.exit(code);
}
// Ctrl-C under npm can arrive twice (from the terminal, and forwarded by npm): a signal
// within a second of the first is the same request. A later one means "now".
function onSignal(): void {
  if (stoppingSince === 0) void stopAll(0);
  else if (Date.now() - stoppingSince > 1000) {
    for (const p of started) void p.stop('SIGKILL');
    process.exit(1);
  }
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// A closed terminal: its processes get SIGHUP, but the server and hosts have groups of their
// own, so only this script does; it stops them as it does on Ctrl-C.
process.on('SIGHUP', onSignal);

try {
  // 1. The build.
  if (args.build) ensureAppBuild({ log: say });

  // 2. A server: the one answering, or one started here with the settings the token is then
  // signed with (FIELDSYNC_DATA_DIR, FIELDSYNC_SECRET, as `npm run server`).
  const serverEnv: Record<string, string | undefined> = { ...process.env };
  const running = await serverIsUp(serverUrl);
  if (running) {
    say(`using the sync server already running at ${serverUrl}`);
  } else {
    const at = canStartServerAt(serverUrl);
    if (!at) throw new Error(`no Fieldsync server answers at ${serverUrl}, and it is not on this machine; start it, or drop --server`);
    if (await portAnswers(at.host, at.port)) throw new Error(portTakenMessage(serverUrl));
    say(`starting the sync server on ${serverUrl}`);
    Object.assign(serverEnv, { PORT: String(at.port), HOST: at.host, FIELDSYNC_LOG_LEVEL: process.env.FIELDSYNC_LOG_LEVEL ?? 'warn' });
    // Its own process group: Ctrl-C reaches this script, which stops it in order. An IPC
    // channel: should this script die without stopping it (killed, crashed), it stops itself.
    started.push(await startNodeProcess({ name: 'server', args: ['server/main.ts'], env: serverEnv, detached: true, ipc: true, onLine: (l) => say(`[server] ${l}`), linesShown: true }));
  }

  // 3. A token for the demo user, signed with that server's secret, once it proves it holds it.
  const config = loadConfig([], serverEnv);
  if (!config) throw new Error('no server settings');
  const token = await demoToken(serverUrl, loadSecret(config.dataDir, config.secret), user);
  if (token === null) throw new Error(unprovenMessage(serverUrl, config.dataDir));

  // 4. The viewer first: each instance allows exactly its origin to frame it.
  viewer = await startViewer({ log: (l) => say(`[viewer] ${l}`) });
  const frameAncestor = viewer.origin;

  // 5. The instances.
  const hosts = await Promise.all(
    Array.from({ length: instances }, (_, i) => {
      const profile = webProfile(i);
      return startNodeProcess({
        name: profile,
        args: ['src/web-host/main.ts', '--profile', profile, '--profile-dir', join(webDir, profile), '--server', serverUrl, '--renderer-dir', renderer, '--frame-ancestor', frameAncestor],
        // The token goes in the environment: command lines are visible to every user of the machine.
        env: { FIELDSYNC_TOKEN: token },
        detached: true,
        ipc: true,
        onLine: (l) => say(`[${profile}] ${l}`),
        linesShown: true,
      });
    }),
  );
  started.push(...hosts);
  viewer.setInstances(hosts.map((h, i) => ({ name: webProfile(i), origin: h.url, newLoginUrl: () => h.newLoginUrl() })));
  const view = viewer;
  /** The viewer's link, then each instance's, one per line on stdout: the launcher's own terminal or pipe. */
  const printLinks = (instanceLinks: readonly string[]): string => {
    const viewerLink = view.loginUrl();
    process.stdout.write(`${[viewerLink, ...instanceLinks].join('\n')}\n`);
    return viewerLink;
  };
  say(`${instances} instance${instances === 1 ? '' : 's'} for user "${user}", profiles in ${webDir}. Every link works once, in one browser, within 15 minutes (Ctrl-C stops everything).`);
  say('All instances on one screen (the first link); or each on its own (the others):');
  const viewerLink = printLinks(hosts.map((host) => host.loginUrl ?? `${host.url}/`));
  say('Press Enter here for new links (for another browser, or once these have expired).');
  // A browser signed in needs no new link (reloads and new tabs use its stored session); one
  // that is not, or a link that expired unused, does. Fresh codes are asked of the hosts over
  // their IPC pipes and printed where the first ones were: never to a log, never to a page.
  process.stdin.on('data', () => {
    Promise.all(hosts.map((host) => host.newLoginUrl())).then(printLinks, (err: unknown) => say(`no new links: ${(err as Error).message}`));
  });
  process.stdin.on('error', () => {
    // no terminal (stdin closed): no new links on demand
  });
  if (shouldOpenBrowser({ open: args.open, platform: process.platform, env: process.env })) {
    say('opening the one-screen view in your browser (--no-open skips this)');
    removeOpenFile = openInBrowser(viewerLink, say);
  }

  // If any of them stops on its own, stop the rest: a half-running demo only confuses.
  const first = await Promise.race(started.map((p) => p.exited.then((code) => ({ p, code }))));
  if (stoppingSince === 0) {
    say(`${first.p.name} exited (${first.code}); stopping the others`);
    await stopAll(1);
  }
} catch (err) {
  say((err as Error).message);
  await stopAll(1);
}
