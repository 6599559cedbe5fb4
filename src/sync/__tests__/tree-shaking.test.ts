/**
 * The root entry is tree-shakeable: an app's bundle holds only what it imports. Each case
 * bundles a small app with Vite (as the renderer is bundled) and looks at what came along.
 * A module that does work when it loads (a `new Set(...)` or a `Math.floor(...)` at its top
 * level) would be kept in every bundle that reaches it, and fails the first case.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..', '..', '..');
// Inside the repository, so that 'fieldsync' resolves to this package by its name.
const dir = mkdtempSync(join(repo, 'node_modules', '.fieldsync-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Bundles `code` (an app's entry). `honourFlag: false` treats every module as having side
 * effects, as a bundler that ignores package.json's `sideEffects` does: then only the
 * modules' own purity keeps what the app does not use out of its bundle.
 */
async function bundle(name: string, code: string, options: { honourFlag: boolean }): Promise<string> {
  const entry = join(dir, `${name}.ts`);
  writeFileSync(entry, code);
  const ignoreFlag = { name: 'ignore-side-effects-flag', transform: (source: string) => ({ code: source, moduleSideEffects: true }) };
  const out = await build({
    configFile: false,
    logLevel: 'silent',
    root: repo,
    plugins: options.honourFlag ? [] : [ignoreFlag],
    build: { write: false, minify: true, lib: { entry, formats: ['es'], fileName: name } },
  });
  const result = Array.isArray(out) ? out[0] : out;
  if (!result || !('output' in result)) throw new Error('vite returned no bundle');
  return result.output.map((chunk) => ('code' in chunk ? chunk.code : '')).join('\n');
}

describe('tree-shaking the root entry', () => {
  it.each([true, false])('an app that imports one function gets that function alone, and the error it throws (sideEffects flag honoured: %s)', async (honourFlag) => {
    const code = await bundle(`one-${honourFlag}`, "import { cellKey } from 'fieldsync';\nexport const key = cellKey('todos', 't1', 'title');\n", { honourFlag });
    expect(code).not.toMatch(/new Set|Math\.floor/);
    // cellKey refuses what is not a string with a ValidationError: that class and its base, no other.
    expect(code.match(/class /g)).toHaveLength(2);
    expect(code).toMatch(/"ValidationError"/);
    expect(code).not.toMatch(/StoreError|NetworkError|RemoteError|SchemaError/);
    expect(code.length).toBeLessThan(800);
  }, 60_000);

  it("a client app's bundle holds none of the server's code", async () => {
    const code = await bundle('client', [
      "import { createHttpRemote, createMemoryStore, createSyncClient, defineSchema } from 'fieldsync';",
      "const schema = defineSchema({ version: 1, tables: { todos: { title: 'string' } } });",
      "export const client = await createSyncClient({ schema, store: createMemoryStore(), remote: createHttpRemote({ url: 'http://127.0.0.1:8787', token: 't' }) });",
    ].join('\n'), { honourFlag: true });
    expect(code).toContain('the sync client is closed'); // the client itself is there
    expect(code).not.toContain('messages per request'); // parseSyncRequest: the server's check
    expect(code).not.toContain("ahead of the server's clock"); // the sync handler
    // The opt-in parts of the HTTP remote stay out when the app does not ask for them.
    expect(code).not.toContain('text/event-stream'); // pokeStream
    expect(code).not.toContain('CompressionStream'); // gzipRequests
    expect(code).not.toContain('device names need a table'); // deviceNames
  }, 60_000);

  it('an app that asks for pokes and compression gets them', async () => {
    const code = await bundle('client-live', [
      "import { createHttpRemote, gzipRequests, pokeStream } from 'fieldsync';",
      "export const remote = createHttpRemote({ url: 'http://127.0.0.1:8787', token: 't', pokes: pokeStream(), compress: gzipRequests });",
    ].join('\n'), { honourFlag: true });
    expect(code).toContain('text/event-stream');
    expect(code).toContain('CompressionStream');
  }, 60_000);
});
