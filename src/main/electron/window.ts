/** The app window (an Electron adapter: the logic is in window-options.ts and tile.ts). */
import { BrowserWindow, screen } from 'electron';
import type { Tile } from './launch-args.ts';
import type { RendererLocation } from './renderer-location.ts';
import { tileBounds } from './tile.ts';
import { windowOptions } from './window-options.ts';

export function createMainWindow(o: { appName: string; profile: string; preload: string; tile: Tile | null; location: RendererLocation }): BrowserWindow {
  const bounds = o.tile ? tileBounds(screen.getPrimaryDisplay().workArea, o.tile) : null;
  const win = new BrowserWindow(windowOptions({ appName: o.appName, profile: o.profile, preload: o.preload, bounds }));
  // Keep "<app name> — <profile>" rather than the page's <title>, so windows side by side differ.
  win.on('page-title-updated', (event) => event.preventDefault());
  win.once('ready-to-show', () => win.show());
  void win.loadURL(o.location.url); // app://fieldsync/index.html, or the dev server
  return win;
}
