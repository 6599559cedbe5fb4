/**
 * Where Electron's binary is, without downloading it: the `electron` npm package fetches its
 * binary in a postinstall step, and `require('electron')` tries again when it is missing.
 * Here we only look: `node_modules/electron/path.txt` names the executable under `dist/`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ELECTRON_MISSING =
  'Electron\'s binary is not installed: run "node node_modules/electron/install.js" with network access, then npm start again.';

export type ElectronBinary = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };

export function findElectronBinary(electronPackageDir: string, env: Readonly<Record<string, string | undefined>> = {}): ElectronBinary {
  const pathFile = join(electronPackageDir, 'path.txt');
  if (!existsSync(join(electronPackageDir, 'package.json'))) return { ok: false, reason: 'the electron package is not installed (npm ci)' };
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const path = join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron');
    return existsSync(path) ? { ok: true, path } : { ok: false, reason: `ELECTRON_OVERRIDE_DIST_PATH has no ${relative || 'electron'}` };
  }
  if (!relative) return { ok: false, reason: 'node_modules/electron/path.txt is missing (the binary was never downloaded)' };
  const path = join(electronPackageDir, 'dist', relative);
  return existsSync(path) ? { ok: true, path } : { ok: false, reason: `${path} is missing` };
}
