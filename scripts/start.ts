/**
 * `npm start`: the demo. Builds the app, makes sure a sync server runs, signs one user in,
 * and opens several app windows side by side, each with its own profile (its own database
 * and client id), to watch them converge.
 *
 *   npm start                    3 instances
 *   npm start -- --instances 2   2 instances
 *   npm start -- --help          every option
 *
 * It keeps running while any window is open; Ctrl-C closes everything it started.
 *
 * Electron's binary is fetched on first use (scripts/lib/electron-setup.ts). Where it cannot
 * be fetched or does not run, the same demo runs in the browser instead: `npm run start:web`
 * with the same options (its URLs are printed), after one line saying why.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../server/index.ts';
import { loadSecret } from '../server/secret.ts';
import { hasDisplay } from './lib/display.ts';
import { ensureElectron } from './lib/electron-setup.ts';
import { npmCommand } from './lib/npm-command.ts';
import { demoToken, portAnswers, portTakenMessage, serverIsUp, unprovenMessage, waitForServer } from './lib/server-health.ts';
import { START_USAGE, StartArgsError, canStartServerAt, instanceLaunch, parseStartArgs, type StartArgs } from './lib/start-args.ts';
import { closeWindowsCommand, passesSignalsOn } from './lib/stop-children.ts';
import { stopRequest } from './processes.ts';

const root = join(import.meta.dirname, '..');
const say = (line: string): void => console.log(`start: ${line}`);
function fail(line: string, code = 1): never {
  console.error(line);
  process.exit(code);
}

let args: StartArgs | null;
try {
  args = parseStartArgs(process.argv.slice(2), process.env);
} catch (err) {
  if (err instanceof StartArgsError) fail(`start: ${err.message}\n${START_USAGE}`, 2);
  throw err;
}
if (args === null) {
  console.log(START_USAGE);
  process.exit(0);
}
const { instances, serverUrl, user } = args;

// Electron's binary: found, or fetched now. Without it, or without a screen for its windows
// (SSH, a container: each window would exit at once), the same demo in the browser. No
// screen is checked first: nothing is fetched that cannot be used.
const electron = hasDisplay(process.platform, process.env)
  ? await ensureElectron({ packageDir: process.env.FIELDSYNC_ELECTRON_DIR || join(root, 'node_modules', 'electron'), env: process.env, log: say })
  : { ok: false as const, reason: 'this machine has no display for its windows (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
if (!electron.ok) say(`not using Electron: ${electron.reason}. The same demo runs in your browser instead (npm run start:web):`);
const electronPath = electron.ok ? electron.path : await runInBrowser(process.argv.slice(2));

/** `npm run start:web` with the same arguments, until it exits; Ctrl-C reaches it too. */
async function runInBrowser(argv: readonly string[]): Promise<never> {
  const web = spawn(process.execPath, [join(root, 'scripts', 'start-web.ts'), ...argv], { cwd: root, stdio: 'inherit' });
  // A Ctrl-C in the terminal reaches both processes; a signal sent to this one alone is passed
  // on (POSIX: lib/stop-children.ts). Listened to everywhere: this one waits for start:web.
  const forward = (signal: NodeJS.Signals) => (): void => void (passesSignalsOn(process.platform) && web.kill(signal));
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  const code = await new Promise<number>((resolve) => web.once('exit', (c, signal) => resolve(c ?? (signal === 'SIGINT' ? 130 : 1))));
  process.exit(code);
}

const children = new Set<ChildProcess>();
/** The app windows' processes among them (the server is a Node process: SIGTERM). */
const windows = new Set<ChildProcess>();
let stopping = false;
function stopAll(code: number): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) askToStop(child);
  // A window that has not closed within 5 s is ended (the server stops by itself: its channel closes).
  const timer = setTimeout(() => {
    for (const child of windows) if (child.exitCode === null) child.kill('SIGKILL');
    process.exit(code);
  }, 5000);
  timer.unref();
  const wait = [...children].filter((c) => c.exitCode === null).map((c) => new Promise((r) => c.once('exit', r)));
  void Promise.all(wait).then(() => process.exit(code));
}
/**
 * SIGTERM, but on Windows (no signals there: lib/stop-children.ts) an app window is asked to
 * close its windows, and the server to stop by closing its IPC channel (processes.ts).
 */
function askToStop(child: ChildProcess): void {
  const close = child.pid !== undefined && windows.has(child) ? closeWindowsCommand(child.pid, process.platform) : null;
  if (close !== null) spawn(close.command, close.args, { stdio: 'ignore' }).once('error', () => child.kill('SIGTERM'));
  else if (stopRequest('SIGTERM', child.connected, process.platform) === 'disconnect') child.disconnect();
  else child.kill('SIGTERM');
}
process.on('SIGINT', () => stopAll(130));
process.on('SIGTERM', () => stopAll(143));

// 1. Build.
if (args.build) {
  say('building (npm run build)');
  const npm = npmCommand(['run', '--silent', 'build']);
  const build = spawnSync(npm.command, npm.args, { cwd: root, stdio: 'inherit', shell: npm.shell });
  if (build.status !== 0) fail('start: the build failed; see above.');
}

// 2. A server: the one already answering, or one started here with the same settings the
// token is then signed with (FIELDSYNC_DATA_DIR, FIELDSYNC_SECRET, as `npm run server`).
const serverEnv = { ...process.env };
const running = await serverIsUp(serverUrl);
if (!running) {
  const at = canStartServerAt(serverUrl);
  if (!at) fail(`start: no Fieldsync server answers at ${serverUrl}, and it is not on this machine; start it, or drop --server.`);
  if (await portAnswers(at.host, at.port)) fail(`start: ${portTakenMessage(serverUrl)}.`);
  say(`starting the sync server on ${serverUrl}`);
  Object.assign(serverEnv, { PORT: String(at.port), HOST: at.host, FIELDSYNC_LOG_LEVEL: process.env.FIELDSYNC_LOG_LEVEL ?? 'warn' });
  // An IPC channel: the server stops as on SIGTERM when it closes (on Windows, how it is asked
  // to: askToStop), and when this script is gone without stopping it.
  const server = spawn(process.execPath, [join(root, 'server', 'main.ts')], { cwd: root, env: serverEnv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(server);
  server.once('exit', (code) => {
    children.delete(server);
    if (!stopping) {
      console.error(`start: the sync server stopped (exit code ${code}); closing the app windows.`);
      stopAll(1);
    }
  });
  if (!(await waitForServer(serverUrl, 15_000, fetch, () => server.exitCode === null))) {
    console.error(`start: the sync server did not answer at ${serverUrl}/healthz.`);
    stopAll(1);
  }
} else {
  say(`using the sync server already running at ${serverUrl}`);
}

// 3. A token for the demo user, signed with that server's secret, once it proves it holds it.
let token: string;
try {
  const config = loadConfig([], serverEnv);
  if (!config) throw new Error('no server settings');
  const signed = await demoToken(serverUrl, loadSecret(config.dataDir, config.secret), user);
  if (signed === null) {
    console.error(`start: ${unprovenMessage(serverUrl, config.dataDir)}.`);
    stopAll(1);
    await new Promise(() => {}); // stopAll exits
  }
  token = signed!;
} catch (err) {
  console.error(`start: could not sign a token for "${user}": ${(err as Error).message}`);
  stopAll(1);
  await new Promise(() => {}); // stopAll exits
}

// 4. The instances, tiled; each positions its own window from the tile it is given.
say(`opening ${instances} instance${instances === 1 ? '' : 's'} for user "${user}" (Ctrl-C to stop)`);
let open = 0;
for (let i = 0; i < instances; i++) {
  const launch = instanceLaunch(i, instances, serverUrl, user);
  const child = spawn(electronPath, [root, ...launch.args], {
    cwd: root,
    // The token goes in the environment: command lines are visible to every user of the machine.
    env: { ...process.env, FIELDSYNC_TOKEN: token! },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.add(child);
  windows.add(child);
  open++;
  child.once('exit', () => {
    children.delete(child);
    if (--open === 0 && !stopping) {
      say('every window is closed; stopping');
      stopAll(0);
    }
  });
}
