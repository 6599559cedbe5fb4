/**
 * `npm run pack:lib`, tried as an app developer would: the README's command packs the library,
 * `npm install <tarball>` puts it in a fresh project (offline: the core has no dependencies),
 * and then, with nothing from this repository but the tarball (better-sqlite3 and the type
 * packages are linked from our node_modules, as an app would have installed them):
 *   - the package holds the library alone: compiled JavaScript and declarations, no `.ts`
 *     source, no app code, and a manifest whose exports resolve;
 *   - the README's library example, copied as it is, runs under plain Node (no type
 *     stripping) against the real server, and its writes reach the server;
 *   - every subpath loads under plain Node: `fieldsync/sqlite` on real SQLite files passes
 *     `fieldsync/testing`'s conformance suite and syncs through `fieldsync/server`'s handler;
 *   - the example bundled for the browser (Vite) has no Node built-ins and no server code
 *     (its min+gzip size is printed);
 *   - TypeScript consumers typecheck against the packed declarations through the exports map
 *     (nodenext on Node, bundler resolution in a browser without Node's types).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import ts from 'typescript';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript, spawnServer } from '../../test-support/child-server.ts';
import { tempDir, type TempDir } from '../../test-support/temp-dir.ts';
import { bareImports, libraryExample } from '../lib/library-package.ts';
import { npmCommand } from '../lib/npm-command.ts';

const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; exports: Record<string, string> };

function npm(args: string[], cwd: string, timeout = 120_000) {
  const c = npmCommand(args);
  return spawnSync(c.command, c.args, { cwd, shell: c.shell, encoding: 'utf8', timeout });
}
const npmVersion = npm(['--version'], root, 30_000);
const npmMissing = npmVersion.status !== 0 ? ` (skipped: npm does not run here: ${npmVersion.error?.message ?? npmVersion.stderr.trim()})` : '';

/** Plain Node: no type stripping, so a `.ts` file or a type annotation cannot slip through. */
const plainNode = (file: string, cwd: string, env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['--no-experimental-strip-types', file], { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });

/** The README's example as a user copies it: only the names it leaves to the app are defined, and its server's URL is ours. */
function readmeExample(url: string, prelude: string): string {
  const example = libraryExample(readme).replace(/^```ts\n|```$/g, '');
  expect(example.match(/http:\/\/127\.0\.0\.1:8787/g)).toHaveLength(1);
  return `${prelude}\n${example.replace('http://127.0.0.1:8787', url)}`;
}

let app: TempDir;
let tarball: string;
let pkgDir: string;
let coreOnly: ReturnType<typeof plainNode>;

describe.skipIf(npmMissing !== '')(`the library package (npm run pack:lib)${npmMissing}`, () => {
  beforeAll(() => {
    // The README's command, exactly as written (npm run pack:lib), on npm's own terms.
    const part = readme.slice(readme.indexOf('\n## The library\n'));
    const command = /^```sh\n(.*?)\s+#/m.exec(part)?.[1];
    expect(command).toBe('npm run pack:lib');
    const packed = npm(command!.split(' ').slice(1), root);
    expect(packed.status, packed.stderr).toBe(0);
    tarball = packed.stdout.trimEnd().split('\n').at(-1) as string;

    app = tempDir('fieldsync-app-');
    writeFileSync(join(app.path, 'package.json'), JSON.stringify({ name: 'an-app', private: true, type: 'module' }));
    const installed = npm(['install', '--offline', '--no-audit', '--no-fund', tarball], app.path);
    expect(installed.status, installed.stderr).toBe(0);
    pkgDir = join(app.path, 'node_modules', 'fieldsync');
    // Before anything else is installed: the core and its server and testing parts need nothing more.
    writeFileSync(join(app.path, 'core-only.mjs'), CORE_ONLY_SCRIPT);
    coreOnly = plainNode('core-only.mjs', app.path);
    // What the app would have installed beside it (after `npm install`, which would prune them).
    for (const dep of ['better-sqlite3', '@types/better-sqlite3', '@types/node']) {
      mkdirSync(join(app.path, 'node_modules', '@types'), { recursive: true });
      symlinkSync(join(root, 'node_modules', dep), join(app.path, 'node_modules', dep), 'junction');
    }
  }, 180_000);
  afterAll(() => app?.remove());

  it("prints the tarball's path on its last line, the file the README tells you to install", () => {
    expect(isAbsolute(tarball)).toBe(true);
    expect(tarball).toBe(join(root, 'dist-lib', `fieldsync-${rootPkg.version}.tgz`));
    expect(existsSync(tarball)).toBe(true);
    expect(readme).toContain(`npm install /path/to/fieldsync/dist-lib/fieldsync-${rootPkg.version}.tgz`);
  });

  it('holds the library alone: compiled modules with declarations, the README, the license and the API docs', () => {
    const files = readdirSync(pkgDir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile())
      .map((f) => join(f.parentPath, f.name).slice(pkgDir.length + 1).split('\\').join('/')).sort();
    const allowed = /^(?:package\.json|README\.md|LICENSE|docs\/(?:api|protocol)\.md|docs\/examples\/(?:document|node-sqlite|indexeddb)-store\.ts|dist\/(?:sync|sqlite|node)\/[\w/-]+\.(?:js|d\.ts))$/;
    expect(files.filter((f) => !allowed.test(f))).toEqual([]);
    const modules = files.filter((f) => f.endsWith('.js'));
    expect(modules.length).toBeGreaterThan(20);
    for (const js of modules) expect(files, js).toContain(js.replace(/\.js$/, '.d.ts'));
    expect(readFileSync(join(pkgDir, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
    expect(readFileSync(join(pkgDir, 'README.md'), 'utf8')).toContain(libraryExample(readme));

    // The core imports nothing; the SQLite store only better-sqlite3 and Node's own modules, the Node transport only Node's.
    for (const js of modules) {
      const imports = bareImports(readFileSync(join(pkgDir, js), 'utf8'));
      if (js.startsWith('dist/sync/')) expect(imports, js).toEqual([]);
      else for (const i of imports) expect(i, js).toMatch(/^(?:better-sqlite3|node:\w+)$/);
    }
    // Every relative import names a `.js` file of the package, in the modules and their declarations alike.
    for (const file of files.filter((f) => f.startsWith('dist/'))) {
      const relative = ts.preProcessFile(readFileSync(join(pkgDir, file), 'utf8'), true, true).importedFiles.map((i) => i.fileName).filter((f) => f.startsWith('.'));
      for (const specifier of relative) {
        expect(specifier, `${file}: ${specifier}`).toMatch(/\.js$/);
        expect(files, `${file}: ${specifier}`).toContain(join(dirname(file), specifier).split('\\').join('/'));
      }
    }
  });

  it('needs nothing else installed for the core, its server and testing parts and the Node transport; the SQLite store says it needs better-sqlite3', () => {
    expect(coreOnly.status, coreOnly.stderr).toBe(0);
    expect(JSON.parse(coreOnly.stdout)).toEqual({
      loaded: { fieldsync: 'function', 'fieldsync/server': 'function', 'fieldsync/testing': 'function', 'fieldsync/node': 'function' },
      sqlite: { code: 'ERR_MODULE_NOT_FOUND', namesPeer: true },
    });
  });

  it('has a manifest for an ESM, side-effect-free package, with the root version and every entry point', () => {
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as Record<string, unknown> & { exports: Record<string, { types: string; default: string } | string> };
    expect(pkg).toMatchObject({ name: 'fieldsync', version: rootPkg.version, type: 'module', sideEffects: false, license: 'MIT' });
    expect(pkg.engines).toEqual({ node: expect.stringMatching(/^>=\d/) });
    expect(pkg).not.toHaveProperty('dependencies');
    expect(pkg.peerDependenciesMeta).toEqual({ 'better-sqlite3': { optional: true }, '@types/better-sqlite3': { optional: true } });
    expect(Object.keys(pkg.exports)).toEqual([...Object.keys(rootPkg.exports), './package.json']);
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      for (const file of typeof target === 'string' ? [target] : [target.types, target.default]) expect(existsSync(join(pkgDir, file)), `${subpath}: ${file}`).toBe(true);
    }
  });

  it("runs the README's library example under plain Node against the real server, and its writes reach the server", async () => {
    const data = tempDir('fieldsync-server-');
    const env = { FIELDSYNC_DATA_DIR: data.path, FIELDSYNC_SECRET: 'a-test-secret-that-is-long-enough-32+' };
    const server = await spawnServer(env);
    try {
      const token = runScript('token-cli.ts', ['alice'], env).stdout.trim();
      const prelude = [
        'const token = process.env.TOKEN;',
        'const seen = [];',
        'const rerender = (changes) => seen.push(changes);',
        'const showStatus = (status) => seen.push(status.state);',
        "process.on('exit', () => console.log(JSON.stringify({ seen, status: client.status })));",
      ].join('\n');
      writeFileSync(join(app.path, 'example.mjs'), readmeExample(server.url, prelude));
      const r = plainNode('example.mjs', app.path, { TOKEN: token });
      expect(r.status, r.stderr).toBe(0);
      const { seen, status } = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as { seen: unknown[]; status: { state: string; pending: number; cursor: number } };
      expect(seen).toContainEqual({ todos: ['t1'] }); // its change listener ran
      expect(seen).toContain('offline'); // and its status listener
      expect(status).toMatchObject({ state: 'idle', pending: 0 });

      // What the server now holds for alice, as another of her devices pulls it.
      const res = await fetch(`${server.url}/v1/sync`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: 'another-device', cursor: 0 }),
      });
      const body = (await res.json()) as { messages: { id: number; table: string; row: string; column: string; value: unknown }[] };
      const cells = Object.fromEntries(body.messages.map((m) => [`${m.table}/${m.row}/${m.column}`, m.value]));
      expect(cells).toEqual({ 'todos/t1/title': 'Buy milk', 'todos/t1/listId': 'l1', 'todos/t1/done': true, 'todos/t1/_deleted': true, 'todos/t2/title': 'Call mum' });
      expect(status.cursor).toBe(Math.max(...body.messages.map((m) => m.id))); // it pulled its own writes back
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      data.remove();
    }
  }, 60_000);

  it('loads every subpath under plain Node: the SQLite store on real files passes the conformance suite and syncs through the server handler', () => {
    writeFileSync(join(app.path, 'subpaths.mjs'), SUBPATHS_SCRIPT);
    const r = plainNode('subpaths.mjs', app.path, { DB_DIR: join(app.path, 'db') });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>;
    expect(out.conformance).toMatchObject({ failed: [] });
    expect((out.conformance as { passed: number }).passed).toBeGreaterThan(10);
    expect(out).toMatchObject({
      sqliteRow: { title: 'from SQLite' },
      memoryRow: { title: 'from SQLite' },
      badWrite: { isFieldsyncError: true, name: 'SchemaError' },
      badRequest: { isProtocolError: true, status: 400 },
      deepImport: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    });
  }, 60_000);

  it('bundles the example for the browser with no Node built-ins and no server code', async () => {
    const prelude = "const token = localStorage.getItem('token');\nconst rerender = console.log;\nconst showStatus = console.log;";
    writeFileSync(join(app.path, 'client.js'), readmeExample('https://sync.example.com', prelude));
    const out = await build({
      root: app.path,
      configFile: false,
      logLevel: 'silent',
      build: { write: false, minify: true, target: 'es2022', modulePreload: false, rollupOptions: { input: join(app.path, 'client.js') } },
    });
    const result = Array.isArray(out) ? out[0] : out;
    if (!result || !('output' in result)) throw new Error('vite returned no bundle');
    const code = result.output.map((c) => ('code' in c ? c.code : '')).join('\n');
    expect(code).toContain('the sync client is closed'); // the client is there, from the package
    expect(code).toContain('https://sync.example.com');
    // Node built-ins (which Vite replaces with a stub that throws), the SQLite store, CommonJS;
    // and the server's checks (parseSyncRequest's, the sync handler's).
    const unwanted = /\bnode:\w+|__vite-browser-external|externalized for browser compatibility|better-sqlite3|\brequire\(|messages per request|ahead of the server's clock/g;
    expect(code.match(unwanted) ?? []).toEqual([]);
    const gzip = gzipSync(code, { level: 9 }).length;
    console.log(`pack:lib browser bundle of the README example: ${(code.length / 1024).toFixed(1)} kB minified, ${(gzip / 1024).toFixed(1)} kB min+gzip`);
    expect(gzip).toBeGreaterThan(1000);
  }, 60_000);

  it('typechecks TypeScript consumers against the packed declarations, through the exports map', () => {
    writeFileSync(join(app.path, 'node-app.ts'), NODE_CONSUMER);
    writeFileSync(join(app.path, 'browser-app.ts'), BROWSER_CONSUMER);
    const strict = { target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false };
    writeFileSync(join(app.path, 'tsconfig.node.json'), JSON.stringify({ compilerOptions: { ...strict, lib: ['ES2023'], types: ['node'], module: 'nodenext', moduleResolution: 'nodenext' }, files: ['node-app.ts'] }));
    writeFileSync(join(app.path, 'tsconfig.browser.json'), JSON.stringify({ compilerOptions: { ...strict, lib: ['ES2023', 'DOM'], types: [], module: 'esnext', moduleResolution: 'bundler' }, files: ['browser-app.ts'] }));
    // The README's example pasted into an app from Vite's TypeScript template, whose tsconfig
    // also refuses unused names: until round 58 the example's `({ source, changes })` failed it.
    writeFileSync(join(app.path, 'readme-app.ts'), readmeExample('http://127.0.0.1:8787', README_APP_NAMES));
    writeFileSync(join(app.path, 'tsconfig.vite.json'), JSON.stringify({ compilerOptions: { ...strict, lib: ['ES2023', 'DOM'], types: [], module: 'esnext', moduleResolution: 'bundler', noUnusedLocals: true, noUnusedParameters: true }, files: ['readme-app.ts'] }));
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    for (const config of ['tsconfig.node.json', 'tsconfig.browser.json', 'tsconfig.vite.json']) {
      const r = spawnSync(process.execPath, [tsc, '-p', config], { cwd: app.path, encoding: 'utf8', timeout: 60_000 });
      expect(r.stdout + r.stderr, config).toBe('');
      expect(r.status, config).toBe(0);
    }
  }, 60_000);
});

/** Before better-sqlite3 is installed; prints one JSON line. */
const CORE_ONLY_SCRIPT = `
const loaded = {
  fieldsync: typeof (await import('fieldsync')).createSyncClient,
  'fieldsync/server': typeof (await import('fieldsync/server')).createSyncHandler,
  'fieldsync/testing': typeof (await import('fieldsync/testing')).storeConformance,
  'fieldsync/node': typeof (await import('fieldsync/node')).nodeFetch,
};
let sqlite = null;
try { await import('fieldsync/sqlite'); } catch (err) { sqlite = { code: err.code, namesPeer: err.message.includes("'better-sqlite3'") }; }
console.log(JSON.stringify({ loaded, sqlite }));
`;

/** Every subpath under plain Node; prints one JSON line. */
const SUBPATHS_SCRIPT = `
import { join } from 'node:path';
import { FieldsyncError, createMemoryStore, createSyncClient, defineSchema } from 'fieldsync';
import { ProtocolError, createMemoryServerStore, createSyncHandler } from 'fieldsync/server';
import { createInProcessServer, storeConformance } from 'fieldsync/testing';
import { createSqliteStore, openDatabase } from 'fieldsync/sqlite';

const dir = process.env.DB_DIR;
let files = 0;
const opened = [];
function open(file) {
  const db = openDatabase(file);
  opened.push(db);
  return createSqliteStore(db);
}
function harness(file = join(dir, 'conformance-' + files++ + '.db')) {
  const store = open(file);
  // connect(): a second connection to the file, as a second process opens it (the shared-store cases).
  return { store, readRow: (table, row) => store.readRow(table, row), reopen: () => harness(file), connect: () => open(file) };
}
const conformance = { passed: 0, failed: [] };
for (const c of storeConformance(() => harness(), { shared: true })) {
  try { await c.run(); conformance.passed++; } catch (err) { conformance.failed.push(c.name + ': ' + err.message); }
}

const schema = defineSchema({ version: 1, tables: { todos: { title: 'string' } } });
const server = createInProcessServer({ store: createMemoryServerStore() });
const db = openDatabase(join(dir, 'app.db'));
opened.push(db);
const a = await createSyncClient({ schema, store: createSqliteStore(db), remote: server.remote('alice') });
const memory = createMemoryStore();
const b = await createSyncClient({ schema, store: memory, remote: server.remote('alice') });
await a.update('todos', 't1', { title: 'from SQLite' });
await a.sync();
await b.sync();
let badWrite = null;
try { await a.set('todos', 't1', 'title', 42); } catch (err) { badWrite = { isFieldsyncError: err instanceof FieldsyncError, name: err.name }; }
let badRequest = null;
try { await createSyncHandler({ store: createMemoryServerStore() })('alice', { clientId: 'x' }); } catch (err) { badRequest = { isProtocolError: err instanceof ProtocolError, status: err.status }; }
let deepImport = null;
try { await import('fieldsync/dist/sync/merge.js'); } catch (err) { deepImport = err.code; }
const sqliteRow = db.prepare('SELECT title FROM todos WHERE id = ?').get('t1');
const memoryRow = memory.get('todos', 't1');
await a.close();
await b.close();
for (const d of opened) if (d.open) d.close();
console.log(JSON.stringify({ conformance, sqliteRow, memoryRow, badWrite, badRequest, deepImport }));
`;

/** A Node app in TypeScript: every subpath, and what the declarations must refuse. */
const NODE_CONSUMER = `
import { FieldsyncError, createMemoryStore, createSyncClient, defineSchema, type SyncStatus, type SyncStore } from 'fieldsync';
import { createMemoryServerStore, createSyncHandler, type ServerStore } from 'fieldsync/server';
import { createInProcessServer, storeConformance, type StoreHarness } from 'fieldsync/testing';
import { createSqliteStore, openDatabase, type Db } from 'fieldsync/sqlite';

const schema = defineSchema({ version: 1, tables: { todos: { title: 'string', done: 'boolean' } } });
const serverStore: ServerStore = createMemoryServerStore();
const handler = createSyncHandler({ store: serverStore });
const db: Db = openDatabase('app.db');
const store: SyncStore = createSqliteStore(db);
const client = await createSyncClient({ schema, store, remote: createInProcessServer({ store: serverStore }).remote('alice') });
const status: SyncStatus = client.status;
const pending: number = status.pending;
const harness: StoreHarness = { store: createMemoryStore(), readRow: () => undefined };
export { handler, pending, harness, storeConformance, FieldsyncError };

// @ts-expect-error: the declarations are real types, not any
const wrong: string = client.status.pending;
// @ts-expect-error: only the entry points are exported
import type { MergePlan } from 'fieldsync/dist/sync/merge.js';
export { wrong };
export type { MergePlan };
`;

/** A browser app in TypeScript, without Node's types. */
/** The names the README's example leaves to the app, as an app declares them. */
const README_APP_NAMES = `
declare const token: string;
declare function rerender(...args: unknown[]): void;
declare function showStatus(...args: unknown[]): void;
`;

const BROWSER_CONSUMER = `
import { createHttpRemote, createMemoryStore, createSyncClient, defineSchema } from 'fieldsync';

const schema = defineSchema({ version: 1, tables: { todos: { title: 'string' } } });
const client = await createSyncClient({ schema, store: createMemoryStore(), remote: createHttpRemote({ url: location.origin, token: 't' }) });
document.title = String(client.status.pending);
`;
