/**
 * `npm run pack:lib`: the sync library as its own npm package, `fieldsync`, in a tarball that
 * an app installs with `npm install <path>` (or that `npm publish` would publish).
 *
 *   1. compiles the entry points of package.json's `exports` (and what they import: src/sync,
 *      src/sqlite, never app code) to ES modules with declarations and source maps, with
 *      tsconfig.lib.json, into dist-lib/package/dist;
 *   2. writes the package's manifest (scripts/lib/library-package.ts derives every field from
 *      the repository), its README (scripts/lib/library-readme.md with the README's example),
 *      the LICENSE and the API docs beside it;
 *   3. `npm pack`s that folder into dist-lib/.
 *
 * Progress goes to stderr; the last line on stdout is the tarball's absolute path.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { DIST, bareImports, jsSpecifiers, libraryEntries, libraryManifest, libraryReadme, type RootPackage } from './lib/library-package.ts';
import { npmCommand } from './lib/npm-command.ts';

const root = join(import.meta.dirname, '..');
const out = join(root, 'dist-lib');
const pkgDir = join(out, 'package');
const say = (line: string): void => void process.stderr.write(`pack:lib: ${line}\n`);
function fail(message: string): never {
  process.stderr.write(`pack:lib: ${message}\n`);
  process.exit(1);
}
const readJson = <T>(path: string): T => JSON.parse(readFileSync(join(root, path), 'utf8')) as T;

const USAGE = `usage: npm run pack:lib
  Builds the library's npm package, fieldsync, into dist-lib/ and prints the tarball's path
  on its last line. Install it in an app with: npm install <that path>`;
const [arg] = process.argv.slice(2);
if (arg === '--help' || arg === '-h') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (arg !== undefined) {
  process.stderr.write(`pack:lib: unexpected argument: ${arg}\n${USAGE}\n`);
  process.exit(2);
}

const rootPkg = readJson<RootPackage>('package.json');
rmSync(out, { recursive: true, force: true });
mkdirSync(pkgDir, { recursive: true });

// 1. Compile: the entry points are the root files, so only what they reach is emitted.
const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.lib.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')) });
if (!config) fail('tsconfig.lib.json could not be read');
const entries = libraryEntries(rootPkg.exports);
say(`compiling ${entries.map((e) => e.source).join(', ')}`);
const program = ts.createProgram({ rootNames: entries.map((e) => join(root, e.source)), options: { ...config.options, noEmitOnError: true } });
// Declarations keep the sources' `.ts` specifiers (TypeScript rewrites only the JavaScript);
// TypeScript reads them either way, but other tools expect the `.js` of the file beside them.
const emitted = program.emit(undefined, (file, text, bom) => ts.sys.writeFile(file, file.endsWith('.d.ts') ? jsSpecifiers(text) : text, bom));
const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
if (diagnostics.length > 0) {
  fail(`TypeScript errors:\n${ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' })}`);
}

// 2. The manifest, README, license and docs.
const dist = join(pkgDir, DIST);
const files = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(?:js|d\.ts)$/.test(f));
const imports = files.flatMap((f) => bareImports(readFileSync(join(dist, f), 'utf8')));
const sideEffects = ['src/sync/package.json', 'src/sqlite/package.json'].map((f) => readJson<{ sideEffects?: unknown }>(f).sideEffects);
try {
  writeFileSync(join(pkgDir, 'package.json'), `${JSON.stringify(libraryManifest(rootPkg, { sideEffects, imports }), null, 2)}\n`);
  const template = readFileSync(join(root, 'scripts', 'lib', 'library-readme.md'), 'utf8');
  writeFileSync(join(pkgDir, 'README.md'), libraryReadme(template, readFileSync(join(root, 'README.md'), 'utf8'), rootPkg));
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
for (const file of ['LICENSE', 'docs/api.md', 'docs/protocol.md', 'docs/examples/document-store.ts', 'docs/examples/node-sqlite-store.ts', 'docs/examples/indexeddb-store.ts']) {
  mkdirSync(dirname(join(pkgDir, file)), { recursive: true });
  copyFileSync(join(root, file), join(pkgDir, file));
}

// 3. Pack. `--json` keeps npm's own report off our stdout; it names the tarball.
const npm = npmCommand(['pack', '--json', '--ignore-scripts', '--pack-destination', out]);
const packed = spawnSync(npm.command, npm.args, { cwd: pkgDir, shell: npm.shell, encoding: 'utf8' });
if (packed.status !== 0) fail(`npm pack failed (exit ${packed.status}):\n${packed.stderr}`);
const [report] = JSON.parse(packed.stdout) as { filename: string; size: number; unpackedSize: number; entryCount: number }[];
if (!report) fail(`npm pack named no tarball:\n${packed.stdout}`);
say(`${report.entryCount} files, ${(report.size / 1024).toFixed(1)} kB packed, ${(report.unpackedSize / 1024).toFixed(1)} kB unpacked`);
process.stdout.write(`${join(out, report.filename)}\n`);
