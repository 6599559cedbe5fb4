/**
 * The library package's manifest and README are derived from the repository (one source for
 * each list); these cases check the derivation and its refusals. The packed package itself,
 * installed and run, is tested in pack-lib.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LibraryPackageError, bareImports, jsSpecifiers, libraryEntries, libraryExample, libraryManifest, libraryReadme, type RootPackage } from '../lib/library-package.ts';

const root = join(import.meta.dirname, '..', '..');
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as RootPackage;
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const template = readFileSync(join(root, 'scripts', 'lib', 'library-readme.md'), 'utf8');
const ok = { sideEffects: [false, false], imports: ['better-sqlite3', 'node:fs', 'node:path'] };

describe('the library package', () => {
  it("maps each entry point of package.json's exports to its compiled module and declarations", () => {
    expect(libraryEntries(rootPkg.exports)).toEqual([
      { subpath: '.', source: 'src/sync/index.ts', js: './dist/sync/index.js', types: './dist/sync/index.d.ts' },
      { subpath: './server', source: 'src/sync/server/index.ts', js: './dist/sync/server/index.js', types: './dist/sync/server/index.d.ts' },
      { subpath: './testing', source: 'src/sync/testing/index.ts', js: './dist/sync/testing/index.js', types: './dist/sync/testing/index.d.ts' },
      { subpath: './sqlite', source: 'src/sqlite/index.ts', js: './dist/sqlite/index.js', types: './dist/sqlite/index.d.ts' },
      { subpath: './node', source: 'src/node/index.ts', js: './dist/node/index.js', types: './dist/node/index.d.ts' },
    ]);
    expect(() => libraryEntries({ '.': './server/index.js' })).toThrow(LibraryPackageError);
    expect(() => libraryEntries({ '.': './src/types.d.ts' })).toThrow(/must be a \.ts file/);
  });

  it('writes an ESM, side-effect-free manifest whose exports follow the root ones, with the root version and Node floor', () => {
    const m = libraryManifest(rootPkg, ok) as Record<string, unknown>;
    expect(m).toMatchObject({ name: 'fieldsync', version: rootPkg.version, license: rootPkg.license, type: 'module', sideEffects: false, engines: rootPkg.engines });
    expect(Object.keys(m.exports as object)).toEqual([...Object.keys(rootPkg.exports), './package.json']);
    expect((m.exports as Record<string, unknown>)['./sqlite']).toEqual({ types: './dist/sqlite/index.d.ts', default: './dist/sqlite/index.js' });
    expect(m).not.toHaveProperty('dependencies');
    expect(m).not.toHaveProperty('scripts');
    expect(m).not.toHaveProperty('private');
  });

  it('makes each package the code imports an optional peer at the root version range, with its @types package', () => {
    const m = libraryManifest(rootPkg, ok) as Record<string, unknown>;
    expect(m.peerDependencies).toEqual({ 'better-sqlite3': rootPkg.dependencies!['better-sqlite3'], '@types/better-sqlite3': rootPkg.devDependencies!['@types/better-sqlite3'] });
    expect(m.peerDependenciesMeta).toEqual({ 'better-sqlite3': { optional: true }, '@types/better-sqlite3': { optional: true } });
    // The core alone imports nothing: no peers at all.
    expect(libraryManifest(rootPkg, { ...ok, imports: [] })).not.toHaveProperty('peerDependencies');
    expect(() => libraryManifest(rootPkg, { ...ok, imports: ['left-pad'] })).toThrow(/imports "left-pad", which is not among package.json's dependencies/);
  });

  it('refuses to declare the package side-effect free unless every library folder says so', () => {
    expect(() => libraryManifest(rootPkg, { ...ok, sideEffects: [false, undefined] })).toThrow(/sideEffects/);
    expect(() => libraryManifest(rootPkg, { ...ok, sideEffects: [] })).toThrow(LibraryPackageError);
    for (const folder of ['src/sync', 'src/sqlite']) {
      expect(JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8'))).toEqual({ type: 'module', sideEffects: false });
    }
  });

  it('finds the bare imports of compiled code, not the ones in comments or examples', () => {
    const code = [
      "/** ```ts\n * import { createSyncClient } from 'fieldsync';\n * ``` */",
      'import Database from "better-sqlite3";',
      "import { mkdirSync } from 'node:fs';",
      'export { x } from "./x.js";',
      "const later = () => import('@scope/pkg/sub');",
      "const text = 'import nothing from \"strings\"';",
    ].join('\n');
    expect(bareImports(code).sort()).toEqual(['@scope/pkg/sub', 'better-sqlite3', 'node:fs']);
  });

  it("rewrites the declarations' relative .ts specifiers to the .js beside them, and nothing else", () => {
    const dts = [
      "import type { SyncStatus } from './sync-client.ts';",
      'export { parseHlc } from "../hlc.ts";',
      "export type T = import('./store.ts').Commit;",
      "import Database from 'better-sqlite3';",
      "import type { X } from './types.d.ts';",
      "/** import { a } from 'fieldsync'; */",
    ].join('\n');
    expect(jsSpecifiers(dts).split('\n')).toEqual([
      "import type { SyncStatus } from './sync-client.js';",
      'export { parseHlc } from "../hlc.js";',
      "export type T = import('./store.js').Commit;",
      "import Database from 'better-sqlite3';",
      "import type { X } from './types.d.ts';",
      "/** import { a } from 'fieldsync'; */",
    ]);
  });

  it("builds the package's README from the root README's library example and entry-point table", () => {
    const out = libraryReadme(template, readme, rootPkg);
    expect(out).toMatch(/^# fieldsync\n/);
    expect(out).toContain(libraryExample(readme));
    expect(libraryExample(readme)).toMatch(/^```ts\nimport \{[^}]*\} from 'fieldsync';\n[\s\S]*\n```$/);
    expect(out).toContain('| `fieldsync/sqlite` |');
    expect(out).toContain("import { createSqliteStore, openDatabase } from 'fieldsync/sqlite';");
    expect(out).toContain(`npm install /path/to/fieldsync-${rootPkg.version}.tgz`);
    expect(out).not.toMatch(/\{\{|\}\}/);
    expect(() => libraryReadme('{{nope}}', readme, rootPkg)).toThrow(/unknown placeholder \{\{nope\}\}/);
    expect(() => libraryReadme(template, readme.replace('## The library', '## A library'), rootPkg)).toThrow(/no "## The library" section/);
  });

  it('reads a README and template checked out with \\r\\n line ends (git on Windows) as the \\n ones', () => {
    const crlf = (text: string): string => text.replace(/\r?\n/g, '\r\n');
    expect(libraryReadme(crlf(template), crlf(readme), rootPkg)).toBe(libraryReadme(template, readme, rootPkg));
    expect(libraryExample(crlf(readme))).toBe(libraryExample(readme));
  });
});
