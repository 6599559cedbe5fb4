/**
 * What a client app ships: each library bundled for the browser by Vite, minified, then
 * gzipped (level 9), as scripts/__tests__/pack-lib.test.ts bundles the README's example.
 * Fieldsync's entry is the README's client example itself, from the sources (the package's
 * `sideEffects: false` applies to them too); each peer's is the smallest app that receives
 * and makes changes with it. 'Fieldsync, realtime' is the same example with the opt-in poke
 * stream (`pokes: pokeStream()`), reported beside it: what an app that wants other devices'
 * changes at once, rather than at its next sync, ships.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { libraryExample } from '../../scripts/lib/library-package.ts';

const root = join(import.meta.dirname, '..', '..');

function readmeExample(): string {
  const example = libraryExample(readFileSync(join(root, 'README.md'), 'utf8')).replace(/^```ts\n|```$/g, '');
  return `const token = localStorage.getItem('token');\nconst rerender = console.log;\nconst showStatus = console.log;\n${example}`;
}

/** `from` replaced by `to` in `text`, which must hold it: a README that changed fails loudly. */
function swap(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`bundle-size: the README's client example no longer has ${from}`);
  return text.replace(from, to);
}

export const BUNDLE_ENTRIES: Readonly<Record<string, () => string>> = {
  Fieldsync: readmeExample,
  'Fieldsync, realtime': () => swap(
    swap(readmeExample(), "import { createHttpRemote, ", "import { createHttpRemote, pokeStream, "),
    "createHttpRemote({ url: 'http://127.0.0.1:8787', token })",
    "createHttpRemote({ url: 'http://127.0.0.1:8787', token, pokes: pokeStream() })",
  ),
  TinyBase: () => `import { createMergeableStore } from 'tinybase';
const store = createMergeableStore();
store.addCellListener(null, null, null, (s, t, r, c) => console.log(t, r, c));
store.setCell('todos', 't1', 'title', 'Buy milk');
store.applyMergeableChanges(JSON.parse(localStorage.getItem('changes')));
console.log(JSON.stringify(store.getMergeableContent()));`,
  Yjs: () => `import * as Y from 'yjs';
const doc = new Y.Doc();
const todos = doc.getMap('todos');
todos.observeDeep((events) => console.log(events.length));
doc.on('update', (u) => console.log(u.length));
const row = new Y.Map();
todos.set('t1', row);
row.set('title', 'Buy milk');
Y.applyUpdate(doc, Uint8Array.from(JSON.parse(localStorage.getItem('update'))));`,
};

export interface BundleSize {
  readonly minified: number;
  readonly gzip: number;
}

export async function bundleSize(name: keyof typeof BUNDLE_ENTRIES): Promise<BundleSize> {
  // Inside the repository's node_modules (ignored by git and the linter), so that the peers resolve.
  const parent = join(root, 'node_modules', '.cache');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, '.bundle-'));
  try {
    const entry = join(dir, 'app.js');
    writeFileSync(entry, (BUNDLE_ENTRIES[name] as () => string)());
    const out = await build({
      root: dir,
      configFile: false,
      logLevel: 'silent',
      resolve: { alias: { fieldsync: join(root, 'src', 'sync', 'index.ts') } },
      build: { write: false, minify: true, target: 'es2022', modulePreload: false, rollupOptions: { input: entry } },
    });
    const result = Array.isArray(out) ? out[0] : out;
    if (!result || !('output' in result)) throw new Error(`vite returned no bundle for ${name}`);
    const code = result.output.map((c) => ('code' in c ? c.code : '')).join('\n');
    return { minified: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
