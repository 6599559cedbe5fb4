/**
 * How `npm start` stops what it started, per platform. Windows has no signals: `kill()` with
 * any of them ends a process at once, as SIGKILL does (Node's docs, subprocess.kill).
 *
 *   - An app window's process (Electron): on POSIX, SIGTERM, which Electron takes as a quit
 *     (before-quit closes the database). On Windows a kill skipped that; `taskkill` without
 *     `/F` posts WM_CLOSE to its windows instead, as their close button does.
 *   - `npm run start:web`, run in Electron's stead: on POSIX a signal sent to `npm start` alone
 *     is passed on. On Windows, Ctrl-C reaches every process of the console already, and
 *     passing it on ended start:web before it had stopped its own server and hosts.
 */

/** The command that asks process `pid` to close its windows, or null: send it SIGTERM. */
export function closeWindowsCommand(pid: number, platform: NodeJS.Platform): { command: string; args: string[] } | null {
  return platform === 'win32' ? { command: 'taskkill', args: ['/PID', String(pid)] } : null;
}

/** Whether a signal `npm start` receives is passed on to the start:web it runs. */
export function passesSignalsOn(platform: NodeJS.Platform): boolean {
  return platform !== 'win32';
}
