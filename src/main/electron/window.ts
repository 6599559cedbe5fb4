/** The app window (an Electron adapter: the logic is in window-options.ts and tile.ts). */
import { BrowserWindow, screen } from 'electron';
import type { Tile } from './launch-args.ts';
import type { RendererLocation } from './renderer-location.ts';
import { tileBounds } from './tile.ts';
import { windowOptions } from './window-options.ts';

export function createMainWindow(o: { profile: string; preload: string; tile: Tile | null; location: RendererLocation; indexFile: string }): BrowserWindow {
  const bounds = o.tile ? tileBounds(screen.getPrimaryDisplay().workArea, o.tile) : null;
  const win = new BrowserWindow(windowOptions({ profile: o.profile, preload: o.preload, bounds }));
  // Keep "Fieldsync — <profile>" rather than the page's <title>, so windows side by side differ.
  win.on('page-title-updated', (event) => event.preventDefault());
  win.once('ready-to-show', () => win.show());
  if (o.location.kind === 'dev') void win.loadURL(o.location.url);
  else void win.loadFile(o.indexFile);
  return win;
}
