/**
 * The library's npm package (`npm run pack:lib`), derived from the repository so that each
 * list has one source:
 *   - the entry points: the root package.json's `exports` (`./src/<path>.ts`), each mapped to
 *     its compiled `./dist/<path>.js` and `./dist/<path>.d.ts`;
 *   - the name, version, license, author and Node floor: the root package.json;
 *   - `sideEffects`: the library folders' own package.json files (src/sync, src/sqlite), the
 *     ones that make the in-repo bundles tree-shake;
 *   - the dependencies: the bare imports of the compiled code, each an OPTIONAL peer at the
 *     root package.json's version range (with its `@types/` package, if the repo has one):
 *     the core imports nothing, and only `fieldsync/sqlite` needs better-sqlite3.
 */
import ts from 'typescript';

export interface RootPackage {
  readonly name: string;
  readonly version: string;
  readonly license: string;
  readonly author?: string;
  readonly engines: Readonly<Record<string, string>>;
  readonly exports: Readonly<Record<string, string>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
}

export interface LibraryEntry {
  /** The subpath of the exports map: `.`, `./server`, ... */
  readonly subpath: string;
  /** The source file, relative to the repository: `src/sync/index.ts`. */
  readonly source: string;
  /** The compiled module and its declarations, relative to the package: `./dist/sync/index.js`. */
  readonly js: string;
  readonly types: string;
}

/** The folder the sources are compiled from (tsconfig.lib.json's rootDir) and into, in the package. */
export const SOURCE_ROOT = 'src';
export const DIST = 'dist';

export const LIBRARY_DESCRIPTION =
  'Offline-first, field-level sync for any local database: a dependency-free client, the building blocks of a sync server, and a SQLite store.';

export class LibraryPackageError extends Error {
  override readonly name = 'LibraryPackageError';
}

export function libraryEntries(exports: Readonly<Record<string, string>>): LibraryEntry[] {
  return Object.entries(exports).map(([subpath, target]) => {
    const m = new RegExp(`^\\./${SOURCE_ROOT}/(.+)\\.ts$`).exec(target);
    if (!m || target.endsWith('.d.ts')) throw new LibraryPackageError(`package.json exports "${subpath}" -> "${target}": an entry point must be a .ts file under ${SOURCE_ROOT}/`);
    return { subpath, source: `${SOURCE_ROOT}/${m[1]}.ts`, js: `./${DIST}/${m[1]}.js`, types: `./${DIST}/${m[1]}.d.ts` };
  });
}

/** The bare module specifiers a compiled file imports (`better-sqlite3`, `node:fs`); comments and strings do not count. */
export function bareImports(code: string): string[] {
  const specifiers = ts.preProcessFile(code, true, true).importedFiles.map((f) => f.fileName);
  return [...new Set(specifiers.filter((s) => !s.startsWith('.') && !s.startsWith('/')))];
}

/** A declaration file's relative `.ts` specifiers (`from './hlc.ts'`, `import('./hlc.ts')`) as `.js`. */
export function jsSpecifiers(declarations: string): string {
  return declarations.replace(/(\bfrom\s*|\bimport\s*\(\s*)(['"])(\.{1,2}\/[^'"]*)(?<!\.d)\.ts\2/g, '$1$2$3.js$2');
}

/** `better-sqlite3` -> `better-sqlite3`; `@scope/pkg/sub` -> `@scope/pkg`; `node:fs` -> null (built in). */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

/** `@types/better-sqlite3` for `better-sqlite3`, `@types/scope__pkg` for `@scope/pkg`. */
const typesOf = (name: string): string => `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;

export interface ManifestInputs {
  /** The `sideEffects` of each library folder's package.json. */
  readonly sideEffects: readonly unknown[];
  /** Every bare specifier the compiled code imports. */
  readonly imports: readonly string[];
}

export function libraryManifest(root: RootPackage, inputs: ManifestInputs): Record<string, unknown> {
  if (inputs.sideEffects.length === 0 || inputs.sideEffects.some((s) => s !== false)) {
    throw new LibraryPackageError(`the library folders' package.json must all say "sideEffects": false (found ${JSON.stringify(inputs.sideEffects)}): the package is published as side-effect free`);
  }
  const entries = libraryEntries(root.exports);
  const exports: Record<string, unknown> = {};
  for (const e of entries) exports[e.subpath] = { types: e.types, default: e.js };
  exports['./package.json'] = './package.json';

  const peerDependencies: Record<string, string> = {};
  const peerDependenciesMeta: Record<string, { optional: true }> = {};
  const names = [...new Set(inputs.imports.map(packageOf).filter((n): n is string => n !== null))].sort();
  for (const name of names) {
    const range = root.dependencies?.[name];
    if (!range) throw new LibraryPackageError(`the library imports "${name}", which is not among package.json's dependencies`);
    peerDependencies[name] = range;
    const types = root.devDependencies?.[typesOf(name)];
    if (types) peerDependencies[typesOf(name)] = types;
  }
  for (const name of Object.keys(peerDependencies)) peerDependenciesMeta[name] = { optional: true };

  const root0 = entries.find((e) => e.subpath === '.');
  return {
    name: root.name,
    version: root.version,
    description: LIBRARY_DESCRIPTION,
    keywords: ['sync', 'offline-first', 'local-first', 'crdt', 'hybrid-logical-clock', 'sqlite'],
    license: root.license,
    ...(root.author ? { author: root.author } : {}),
    type: 'module',
    sideEffects: false,
    engines: { node: root.engines.node },
    exports,
    // For TypeScript's older `node10` resolution, which ignores `exports`.
    ...(root0 ? { types: root0.types } : {}),
    files: [DIST, 'docs'],
    ...(names.length > 0 ? { peerDependencies, peerDependenciesMeta } : {}),
  };
}

/**
 * Text with `\n` line ends: on Windows, git's default `core.autocrlf=true` checks the README
 * out with `\r\n` (.gitattributes asks for `\n`, but a clone made before it keeps its own).
 */
const lf = (text: string): string => text.replace(/\r\n/g, '\n');

/** The root README's part under `## The library`, up to the next `## ` heading. */
function librarySection(readme: string): string {
  readme = lf(readme);
  const start = readme.indexOf('\n## The library\n');
  if (start === -1) throw new LibraryPackageError('the README has no "## The library" section');
  const rest = readme.slice(start + 1);
  const next = rest.indexOf('\n## ', 3);
  return next === -1 ? rest : rest.slice(0, next);
}

/** The library section's TypeScript examples, fences included: the first is the one to run, the second the SQLite store's. */
export function libraryExamples(readme: string): string[] {
  return [...librarySection(readme).matchAll(/^```ts\n[\s\S]*?^```$/gm)].map((m) => m[0]);
}

/** The library section's first TypeScript example, fences included. */
export function libraryExample(readme: string): string {
  const [first] = libraryExamples(readme);
  if (!first) throw new LibraryPackageError('the README\'s library section has no ```ts example');
  return first;
}

/** The package's README: the template (scripts/lib/library-readme.md) with the root README's example and entry-point table. */
export function libraryReadme(template: string, readme: string, root: RootPackage): string {
  const table = /^\| import from \|.*\n(?:\|.*\n)+/m.exec(librarySection(readme));
  if (!table) throw new LibraryPackageError('the README\'s library section has no "| import from |" table of entry points');
  const sqliteExample = libraryExamples(readme).find((e) => e.includes("from 'fieldsync/sqlite'"));
  if (!sqliteExample) throw new LibraryPackageError("the README's library section has no example of 'fieldsync/sqlite'");
  const values: Record<string, string> = {
    version: root.version,
    node: (root.engines.node ?? '').replace(/^>=\s*/, '') + ' or newer',
    example: libraryExample(readme),
    'sqlite-example': sqliteExample,
    'entry-points': table[0].trimEnd(),
  };
  return lf(template).replace(/\{\{([\w-]+)\}\}/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new LibraryPackageError(`scripts/lib/library-readme.md: unknown placeholder ${whole}`);
    return value;
  });
}
