/** The README's "five functions" example is real code: it passes the conformance suite and syncs. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDocumentStore, type DocumentStorage } from '../../../docs/examples/document-store.ts';
import { createSyncClient } from '../index.ts';
import { createInProcessServer, storeConformance, type StoreHarness } from '../testing/index.ts';
import { NEWER_BUILTINS_ADVICE, newerBuiltins } from './harness/newer-builtins.ts';
import { schema } from './harness/test-kit.ts';

/** A storage that keeps the document as text, like AsyncStorage or a file would. */
function textStorage(): DocumentStorage & { text: string | null } {
  return {
    text: null,
    async load() {
      return this.text;
    },
    async save(text) {
      this.text = text;
    },
  };
}

function harness(storage = textStorage()): StoreHarness {
  return {
    store: createDocumentStore(storage),
    readRow: (table, row) => (storage.text ? (JSON.parse(storage.text).data[table]?.[row] as never) : undefined),
    reopen: () => harness(storage),
  };
}

describe('README example: a store over one JSON document', () => {
  for (const c of storeConformance(() => harness(), { transact: false })) it.skipIf(c.skip !== undefined)(c.skip ? `${c.name} (skipped: ${c.skip})` : c.name, c.run);

  it('syncs two clients', async () => {
    const server = createInProcessServer();
    const [sa, sb] = [textStorage(), textStorage()];
    const a = await createSyncClient({ schema, store: createDocumentStore(sa), remote: server.remote(), autoSync: false });
    const b = await createSyncClient({ schema, store: createDocumentStore(sb), remote: server.remote(), autoSync: false });
    await a.update('todos', 't1', { title: 'Buy milk', done: false });
    await a.sync();
    await b.sync();
    expect(JSON.parse(sb.text as string).data.todos.t1).toEqual({ title: 'Buy milk', done: false });
    await a.close();
    await b.close();
  });

  it('uses no builtin that React Native or an older engine lacks (structuredClone, .at)', () => {
    // The README offers it for AsyncStorage, which is React Native's.
    const found = newerBuiltins(readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'examples', 'document-store.ts'), 'utf8'));
    expect(found, `docs/examples/document-store.ts uses ${found.join(', ')}: ${NEWER_BUILTINS_ADVICE}`).toEqual([]);
  });

  it('is shown in the README exactly as tested', () => {
    const root = join(import.meta.dirname, '..', '..', '..');
    const example = readFileSync(join(root, 'docs', 'examples', 'document-store.ts'), 'utf8').trim();
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain(example);
  });
});
