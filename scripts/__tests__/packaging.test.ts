/**
 * Packaging, as far as it goes without downloads: electron-builder packs an unpacked Linux
 * app from electron-builder.yml around a stand-in Electron distribution (the real one is
 * downloaded by `npm run dist`), and the app archive holds exactly what the app needs, with
 * better-sqlite3's native module unpacked. Installers (AppImage, deb, dmg, nsis) need tools
 * that electron-builder downloads, so they are built only by `npm run dist`.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/temp-dir.ts';
import { ICON_SIZES, renderIcon } from '../lib/icon.ts';
import { encodePng } from '../lib/png.ts';

const root = join(import.meta.dirname, '..', '..');

describe('icons', () => {
  it('build/icon.png is the 1024 × 1024 icon that scripts/make-icon.ts draws', () => {
    const committed = readFileSync(join(root, 'build', 'icon.png'));
    expect(committed.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([committed.readUInt32BE(16), committed.readUInt32BE(20)]).toEqual([1024, 1024]);
    expect(committed.equals(encodePng(1024, 1024, renderIcon(1024)))).toBe(true);
    for (const size of ICON_SIZES) expect(existsSync(join(root, 'build', 'icons', `${size}x${size}.png`))).toBe(true);
  });

  it('encodes PNG that decodes back to the same pixels', () => {
    const rgba = renderIcon(16);
    const png = encodePng(16, 16, rgba);
    const idat = png.indexOf('IDAT');
    const raw = inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
    const pixels = Buffer.concat(Array.from({ length: 16 }, (_, y) => raw.subarray(y * 65 + 1, y * 65 + 65)));
    expect(pixels.equals(Buffer.from(rgba))).toBe(true);
    expect(rgba[3]).toBe(0); // transparent corner
    expect(rgba[(8 * 16 + 8) * 4 + 3]).toBe(255); // opaque middle
  });
});

/** The reference app's names; a fork (another productName) must use none of them. */
const REFERENCE = { productName: 'Fieldsync', appId: 'dev.fieldsync.app', executableName: 'fieldsync', packageName: 'fieldsync' };

interface BuilderConfig {
  readonly appId?: string;
  readonly linux?: { readonly executableName?: string; readonly files?: readonly { readonly filter?: readonly string[] }[] };
  readonly mac?: { readonly files?: readonly { readonly filter?: readonly string[] }[] };
  readonly win?: { readonly files?: readonly { readonly filter?: readonly string[] }[] };
  readonly deb?: { readonly packageName?: string };
}
const builderConfig = (): BuilderConfig => (createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown }).load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

describe('the app’s names (docs/fork.md, "Your app’s name")', () => {
  it('sets the Linux executable and the deb package names itself, and a renamed fork uses none of the reference app’s', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; productName: string };
    const config = builderConfig();
    const names = { appId: config.appId, executableName: config.linux?.executableName, packageName: config.deb?.packageName };
    // Left out, electron-builder takes both from package.json's name, which stays `fieldsync` (the library's import name).
    expect(pkg.name).toBe('fieldsync');
    for (const name of [names.executableName, names.packageName]) expect(name, 'electron-builder.yml: linux.executableName and deb.packageName').toMatch(/^[a-z0-9][a-z0-9+.-]{1,62}$/);
    if (pkg.productName === REFERENCE.productName) {
      expect(names).toEqual({ appId: REFERENCE.appId, executableName: REFERENCE.executableName, packageName: REFERENCE.packageName });
    } else {
      // A fork: its installers must not replace or conflict with the reference app's.
      for (const [key, value] of Object.entries(names)) {
        expect(value, `electron-builder.yml: ${key} is still the reference app's; a fork sets its own (docs/fork.md)`).not.toBe(REFERENCE[key as keyof typeof names]);
      }
    }
  });
});

/** An asar header node: a folder (files) or a file (unpacked when it lives in app.asar.unpacked). */
interface AsarNode {
  readonly files?: Record<string, AsarNode>;
  readonly unpacked?: boolean;
}
const unpackedEntries = (node: AsarNode, path: string): string[] =>
  node.files ? Object.entries(node.files).flatMap(([name, child]) => unpackedEntries(child, `${path}/${name}`)) : node.unpacked ? [path] : [];

describe('electron-builder', () => {
  it('ships each platform only the better-sqlite3 prebuilds its loader picks, under the names it has', () => {
    const config = builderConfig();
    // lib/binding.js loads prebuilds/<process.platform or linuxmusl>-<process.arch>.node.
    const expected = { linux: ['linux', 'linuxmusl'], mac: ['darwin'], win: ['win32'] } as const;
    for (const [os, platforms] of Object.entries(expected)) {
      const patterns = (config[os as keyof typeof expected]?.files ?? []).flatMap((set) => set.filter ?? []);
      expect(patterns, `electron-builder.yml: ${os}.files`).toEqual(platforms.map((p) => `node_modules/better-sqlite3/prebuilds/${p}-\${arch}.node`));
      for (const pattern of patterns) {
        for (const arch of ['x64', 'arm64']) expect(existsSync(join(root, pattern.replace('${arch}', arch))), pattern).toBe(true);
      }
    }
    expect(readFileSync(join(root, 'node_modules', 'better-sqlite3', 'lib', 'binding.js'), 'utf8')).toContain("`${isLinuxMusl() ? 'linuxmusl' : process.platform}-${process.arch}`");
  });

  it.skipIf(process.platform !== 'linux')('packs out/, package.json and better-sqlite3 only, with its native module unpacked', () => {
    if (!existsSync(join(root, 'out', 'main', 'main.js')) || !existsSync(join(root, 'out', 'renderer', 'index.html'))) {
      expect(spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'ignore' }).status).toBe(0);
    }
    const dir = tempDir();
    try {
      const electronDist = join(dir.path, 'electron-dist');
      spawnSync('mkdir', ['-p', electronDist]);
      writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\n');
      chmodSync(join(electronDist, 'electron'), 0o755);
      const output = join(dir.path, 'dist');
      // The project's config, with the stand-in Electron and a temporary output folder.
      const config = join(dir.path, 'electron-builder.json');
      // No fuses: they are flipped in a real Electron binary, which the stand-in is not (fuses.test.ts checks them).
      writeFileSync(config, JSON.stringify({ extends: join(root, 'electron-builder.yml'), electronDist, electronFuses: null, directories: { output, buildResources: 'build' } }));
      const r = spawnSync(join(root, 'node_modules', '.bin', 'electron-builder'), ['--linux', 'dir', '--config', config], { cwd: root, encoding: 'utf8' });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(readFileSync(join(root, 'electron-builder.yml'), 'utf8')).toMatch(/^npmRebuild: false$/m); // no native rebuild, ever
      expect(existsSync(join(output, 'linux-unpacked', builderConfig().linux?.executableName as string))).toBe(true);
      const resources = join(output, 'linux-unpacked', 'resources');
      const asar = createRequire(import.meta.url)('@electron/asar') as { listPackage(file: string): string[] };
      const files = asar.listPackage(join(resources, 'app.asar')).map((f) => f.split('\\').join('/'));
      const tops = new Set(files.map((f) => f.split('/').slice(0, 3).join('/')));
      expect([...tops].sort()).toEqual(['/node_modules', '/node_modules/better-sqlite3', '/out', '/out/main', '/out/preload', '/out/renderer', '/package.json']);
      expect(files).toContain('/out/preload/index.cjs');
      // Only this target's prebuilds (glibc and musl), unpacked: no other platform's binaries
      // (about 2 MB each) in the installer, and nothing native left inside the archive.
      const unpacked = readdirSync(join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'prebuilds'));
      const own = [`linux-${process.arch}.node`, `linuxmusl-${process.arch}.node`];
      expect(unpacked.sort()).toEqual(own);
      expect(files.filter((f) => f.endsWith('.node')).sort()).toEqual(own.map((f) => `/node_modules/better-sqlite3/prebuilds/${f}`));
      // Only they are unpacked: whatever is unpacked is outside the asar integrity check
      // (docs/security.md), so better-sqlite3's JavaScript stays inside.
      const header = (createRequire(import.meta.url)('@electron/asar') as { getRawHeader(file: string): { header: AsarNode } }).getRawHeader(join(resources, 'app.asar')).header;
      expect(unpackedEntries(header, '').sort()).toEqual(own.map((f) => `/node_modules/better-sqlite3/prebuilds/${f}`));
      expect(files.filter((f) => f.startsWith('/node_modules/better-sqlite3/') && !/\/(lib|prebuilds)(\/|$)|package\.json$/.test(f))).toEqual([]);
    } finally {
      dir.remove();
    }
  }, 120_000);
});
