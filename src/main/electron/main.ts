/**
 * The Electron entry point: profile → data directory → single-instance lock → app core →
 * window. Everything that decides something lives in small modules tested without Electron.
 */
import { readFile, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog, ipcMain, protocol, session, type BrowserWindow } from 'electron';
import { createAppCore, type AppCore } from '../core/app-core.ts';
import { ensureOwnProfileDir } from '../core/own-profile.ts';
import { cleartextTokenWarning } from '../core/server-url.ts';
import { appSchema } from '../../shared/app-schema.ts';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, createAppProtocolHandler, rendererRoot } from './app-protocol.ts';
import { contentSecurityPolicy } from './csp.ts';
import { bindIpc, createSenderCheck, forwardEvents } from './ipc.ts';
import { checkAppName, parseLaunchArgs, profileDataDir, type LaunchArgs } from './launch-args.ts';
import { claimProfileDir } from './profile-dir.ts';
import { MAX_RELOADS, recoverRenderer } from './renderer-recovery.ts';
import { rendererLocation } from './renderer-location.ts';
import { applySecurity, applySessionSecurity } from './security.ts';
import { createMainWindow } from './window.ts';

const here = dirname(fileURLToPath(import.meta.url)); // out/main
const preload = join(here, '../preload/index.cjs');
const log = (message: string): void => console.warn(`fieldsync: ${message}`);

let launch: LaunchArgs;
try {
  launch = parseLaunchArgs(process.argv, process.env);
} catch (err) {
  console.error(`fieldsync: ${(err as Error).message}`);
  process.exit(2);
}

// Before `ready`: each profile is its own data directory, and Electron's single-instance
// lock is per data directory, so it is a lock per profile (profile-dir.ts: the folder is
// created, then setPath, then the lock). The folder is the app's name (`productName`): a
// renamed fork never opens this app's databases, nor waits on its lock.
let appName: string;
let locked: boolean;
try {
  appName = checkAppName(app.getName());
  const dir = profileDataDir(process.env.FIELDSYNC_DATA_ROOT || app.getPath('appData'), appName, launch.profile);
  // This user's own folder (own-profile.ts), checked before anything is written there: Electron's files too.
  locked = claimProfileDir(app, { dir, profile: launch.profile, ensureDir: (d) => ensureOwnProfileDir(d, []) });
} catch (err) {
  console.error(`fieldsync: ${(err as Error).message}`);
  process.exit(2);
}

// Before `ready`: the renderer's own scheme (app-protocol.ts), standard and secure.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);

if (!locked) {
  // This profile is already open: the running instance focuses its window and we quit.
  app.quit();
} else {
  let win: BrowserWindow | null = null;
  let core: AppCore | null = null;
  let closed = false;

  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('web-contents-created', (_event, contents) => applySecurity(contents, log));
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (closed || !core) return;
    event.preventDefault(); // close the database cleanly first
    closed = true;
    void core.close().finally(() => app.quit());
  });

  app.whenReady().then(async () => {
    const location = rendererLocation(process.env.ELECTRON_RENDERER_URL, app.isPackaged);
    const csp = contentSecurityPolicy(location.kind === 'dev' ? location.url : undefined);
    applySessionSecurity(session.defaultSession, csp);
    protocol.handle(APP_SCHEME, createAppProtocolHandler({ root: rendererRoot(here), csp, readFile, realpath }));
    // The token would cross the network in cleartext: say so where it was started (and the
    // sync panel says it too).
    const warning = cleartextTokenWarning(launch.serverUrl);
    if (warning !== null && launch.token !== null) console.warn(`fieldsync: warning: ${warning}`);
    core = await createAppCore({
      profileDir: app.getPath('userData'),
      profile: launch.profile,
      serverUrl: launch.serverUrl,
      token: launch.token,
      version: app.getVersion(),
      ...(launch.syncIntervalMs !== null ? { sync: { intervalMs: launch.syncIntervalMs } } : {}),
    });
    bindIpc(ipcMain, core.dispatch, createSenderCheck(() => (win && !win.isDestroyed() ? win.webContents.id : null), location), log);
    win = createMainWindow({ appName, profile: launch.profile, preload, tile: launch.tile, location });
    const stop = forwardEvents(core.onEvent, win.webContents);
    recoverRenderer(win.webContents, {
      log,
      giveUp: () => {
        // A page that keeps crashing: say so rather than leave a blank window. The data is
        // safe in the main process's database, which before-quit closes cleanly.
        dialog.showErrorBox(`${appName} stopped working`, `The window crashed ${MAX_RELOADS + 1} times in a minute. ${appName} will close; your data is saved.`);
        app.quit();
      },
    });
    win.on('closed', () => {
      stop();
      win = null;
    });
    if (process.argv.includes('--smoke-test')) runSmokeTest(win);
  }).catch((err: unknown) => {
    console.error('fieldsync: could not start', err);
    if (process.argv.includes('--smoke-test')) {
      console.log(`fieldsync-smoke: failed ${String(err)}`);
      app.exit(1);
      return;
    }
    dialog.showErrorBox(`${appName} could not start`, err instanceof Error ? err.message : String(err));
    app.exit(1);
  });
}

/**
 * `--smoke-test`: once the page has loaded, report what the page can reach and quit. The
 * Electron smoke test (src/main/electron/__tests__/electron-smoke.test.ts) reads this line.
 */
function runSmokeTest(win: BrowserWindow): void {
  // The app's first table, whatever its schema: a fresh profile has no rows in it.
  const table = JSON.stringify(appSchema.tableNames[0] ?? '');
  win.webContents.once('did-finish-load', async () => {
    const page = (await win.webContents.executeJavaScript(`(async () => JSON.stringify({
      api: typeof window.fieldsync,
      methods: Object.keys(window.fieldsync || {}).sort(),
      require: typeof require,
      process: typeof process,
      rows: window.fieldsync ? await window.fieldsync.rows(${table}, {}).then((l) => l.length, (e) => String(e && e.code)) : null,
      notFound: window.fieldsync ? await window.fieldsync.delete(${table}, 'no-such-row').then(() => 'resolved', (e) => e && e.code) : null,
    }))()`)) as string;
    console.log(`fieldsync-smoke: ${JSON.stringify({ title: win.getTitle(), page: JSON.parse(page) as unknown })}`);
    app.quit();
  });
}
