/**
 * Where Electron's binary is, without downloading it: the `electron` npm package fetches its
 * binary on first use (electron-setup.ts does it for `npm start`). Here we only look:
 * `node_modules/electron/path.txt` names the executable under `dist/`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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
