/**
 * The app's name, from its one source: `productName` in package.json, which electron-builder
 * and Electron (`app.getName()`: the data folder, the window titles) read too. A fork renames
 * the app there only (docs/fork.md, "Your app's name"). Vite bundles this one field of
 * package.json, not the file; the page's `<title>` before the app starts is set from it by
 * electron.vite.config.ts.
 */
import { productName } from '../../../package.json';

export const APP_NAME: string = productName;

/** A window's title: "Fieldsync — alice-1", as Electron's windows have it (launch-args.ts `windowTitle`). */
export function appTitle(profile: string | null): string {
  return profile ? `${APP_NAME} — ${profile}` : APP_NAME;
}
