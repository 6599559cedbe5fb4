/**
 * When the window's renderer process dies (a crash, the OS killing it for memory), the main
 * process and the database live on but the window stays blank. Reload the page, a bounded
 * number of times: a page that crashes as it loads would otherwise reload in a tight loop.
 * After that, give up (main.ts tells the user and quits; their data is in the main process's
 * database, so nothing is lost). The sender check of ipc.ts keeps working: the webContents id
 * survives a reload. Structural types, so it is tested under plain Node with fakes.
 */

/** Electron's RenderProcessGoneDetails, the part used here. */
export interface GoneDetails {
  readonly reason: string;
  readonly exitCode: number;
}

export interface RecoverableContents {
  on(event: 'render-process-gone', listener: (event: unknown, details: GoneDetails) => void): unknown;
  reload(): void;
  isDestroyed(): boolean;
}

export interface RecoveryOptions {
  readonly log: (message: string) => void;
  /** Called once, when the renderer died more than `maxReloads` times within `windowMs`. */
  readonly giveUp: (details: GoneDetails) => void;
  readonly now?: () => number;
  readonly maxReloads?: number;
  readonly windowMs?: number;
}

export const MAX_RELOADS = 3;
export const RELOAD_WINDOW_MS = 60_000;

export function recoverRenderer(contents: RecoverableContents, o: RecoveryOptions): void {
  const now = o.now ?? Date.now;
  const maxReloads = o.maxReloads ?? MAX_RELOADS;
  const windowMs = o.windowMs ?? RELOAD_WINDOW_MS;
  let reloads: number[] = [];
  let gaveUp = false;
  contents.on('render-process-gone', (_event, details) => {
    const what = `the window's renderer process is gone (${details.reason}, exit code ${details.exitCode})`;
    // clean-exit: it ended normally (the window is closing), nothing to recover.
    if (details.reason === 'clean-exit' || gaveUp || contents.isDestroyed()) {
      o.log(what);
      return;
    }
    const t = now();
    reloads = reloads.filter((at) => t - at < windowMs);
    if (reloads.length >= maxReloads) {
      gaveUp = true;
      o.log(`${what}; it was reloaded ${reloads.length} times in the last ${windowMs / 1000} s, giving up`);
      o.giveUp(details);
      return;
    }
    reloads.push(t);
    o.log(`${what}; reloading the page (${reloads.length} of at most ${maxReloads} in ${windowMs / 1000} s)`);
    contents.reload();
  });
}
