/**
 * The "build is up to date" check (scripts/app-build.ts) against what the build is made of:
 * every file the bundles import, from the entries electron.vite.config.ts gives, and every file
 * that config names (package.json, read for productName), must be a build input. A bundled
 * folder left off the list (src/web-host, src/sqlite and src/node were) made `npm run start:web`
 * and the e2e suite serve a build older than the code; a fork's new productName did too.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import config from '../../electron.vite.config.ts';
import { SOURCES, isBuildInput, root } from '../app-build.ts';

const rel = (file: string): string => relative(root, file).split(sep).join('/');

/** The entries of every bundle, as the config gives them (the renderer's: its page's module scripts). */
function entries(): string[] {
  type Input = string | string[] | Record<string, string> | undefined;
  const sides = config as Record<string, { build?: { rollupOptions?: { input?: Input } } } | undefined>;
  const found: string[] = [];
  for (const side of ['main', 'preload', 'renderer']) {
    const input = sides[side]?.build?.rollupOptions?.input;
    expect(input, side).toBeDefined();
    for (const file of typeof input === 'string' ? [input] : Array.isArray(input) ? input : Object.values(input ?? {})) {
      found.push(file);
      if (file.endsWith('.html')) for (const m of readFileSync(file, 'utf8').matchAll(/<script[^>]*\ssrc="([^"]+)"/g)) found.push(resolve(dirname(file), m[1] as string));
    }
  }
  return found;
}

const options: ts.CompilerOptions = { module: ts.ModuleKind.Preserve, moduleResolution: ts.ModuleResolutionKind.Bundler, allowImportingTsExtensions: true, jsx: ts.JsxEmit.ReactJSX, noEmit: true };

/** Every file of this repository the bundles import, from their entries: code and stylesheets (what is in node_modules is package-lock.json's). */
function bundledFiles(): Set<string> {
  const seen = new Set<string>();
  const queue = entries();
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!/\.[cm]?[jt]sx?$/.test(file)) continue; // a page or a stylesheet: counted, not followed
    for (const { fileName: spec } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      const resolved = ts.resolveModuleName(spec, file, options, ts.sys).resolvedModule?.resolvedFileName;
      const target = resolved ?? (spec.startsWith('.') ? resolve(dirname(file), spec) : null);
      if (target === null || target.split(sep).includes('node_modules') || target.endsWith('.d.ts')) continue;
      expect(existsSync(target), `${rel(file)} imports ${spec}`).toBe(true);
      queue.push(target);
    }
  }
  return seen;
}

describe('the app build is up to date', () => {
  it('when no file the bundles are made of changed: every one of them is a build input', () => {
    const bundled = [...bundledFiles()].map(rel);
    // The walk reaches the whole app: the main process's browser host, store and transport too.
    for (const far of ['src/web-host/', 'src/sqlite/', 'src/node/', 'src/sync/', 'src/shared/', 'src/preload/', 'src/renderer/src/']) {
      expect(bundled.some((f) => f.startsWith(far)), far).toBe(true);
    }
    expect(bundled.some((f) => f.endsWith('.css'))).toBe(true);
    expect(bundled.filter((f) => !isBuildInput(f))).toEqual([]);
  });

  it('and when nothing the config reads changed: package.json (productName, in the brand and <title>), the config itself, the lockfile', () => {
    const source = readFileSync(join(root, 'electron.vite.config.ts'), 'utf8');
    const named = [...source.matchAll(/resolve\(root, '([^']+)'\)/g)].map((m) => m[1] as string);
    expect(named).toContain('package.json');
    for (const file of [...named, 'electron.vite.config.ts', 'package-lock.json', 'tsconfig.json']) expect(isBuildInput(file), file).toBe(true);
    // The tsconfig the compiler reads for every file, and what it extends.
    const extended = (JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as { extends?: string }).extends;
    if (extended) expect(isBuildInput(rel(resolve(root, extended))), extended).toBe(true);
  });

  it('counts no test file (never bundled), and nothing outside its sources', () => {
    expect(SOURCES).toContain('src');
    expect(isBuildInput('src/web-host/main.ts')).toBe(true);
    expect(isBuildInput('src/renderer/src/styles/base.css')).toBe(true);
    expect(isBuildInput('src/web-host/__tests__/helpers.ts')).toBe(false);
    expect(isBuildInput('src/renderer/src/components/todos.test.tsx')).toBe(false);
    expect(isBuildInput('server/main.ts')).toBe(false);
    expect(isBuildInput('srcx/a.ts')).toBe(false);
  });
});
