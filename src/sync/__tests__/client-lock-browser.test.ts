/**
 * Two tabs of one web app, in a real browser (Chromium), on the README's document store over
 * localStorage (docs/examples/document-store.ts): one origin, one storage, so one clientId. Two
 * clients on it stamped different writes with the same hlc, and the server kept one (the web
 * audit's F1, F2). The tab opened last takes the store over (client-lock.ts); the other stops,
 * and says why; a commit the first tab still has under way lands before the second reads the
 * store (a store over IndexedDB that reads it in every call). The page runs the core
 * itself (`src/sync`, its types stripped, as server/__tests__/cors-browser.test.ts does).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { describe, expect, it } from 'vitest';
import { installedChromium } from '../../../e2e/support/chromium.ts';
import { appInChromium } from '../../../test-support/core-in-browser.ts';

const example = join(import.meta.dirname, '..', '..', '..', 'docs', 'examples', 'document-store.ts');
const chromiumPath = installedChromium();
/** The README's store, importing the core from the app's origin. */
const documentStore = (): string => readFileSync(example, 'utf8').replace(/from 'fieldsync'/, "from '/sync/index.ts'");

/** A tab of the app: a client on the document store over this origin's localStorage, as `window.app`. */
async function openTab(context: BrowserContext, origin: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(origin);
  await page.evaluate(`(async () => {
    const lib = await import('/sync/index.ts');
    const { createDocumentStore } = await import('/document-store.ts');
    const storage = { load: async () => localStorage.getItem('app'), save: async (text) => localStorage.setItem('app', text) };
    const schema = lib.defineSchema({ version: 1, tables: { todos: { title: 'string' } } });
    const client = await lib.createSyncClient({ schema, store: createDocumentStore(storage), autoSync: false });
    window.app = { client };
  })()`);
  return page;
}

/** What a write in `page` comes to: 'ok', or the error's name, code and message. */
const write = (page: Page, row: string): Promise<unknown> => page.evaluate(`window.app.client.set('todos', ${JSON.stringify(row)}, 'title', 'x')
  .then(() => 'ok', (e) => ({ name: e.name, code: e.code, message: e.message }))`);

/**
 * A store over one IndexedDB record that reads it afresh in every call (the document store,
 * made again per call), so that what one tab commits the other reads (IndexedDB, not
 * localStorage: Chromium hands a localStorage write to other tabs some time later). Its next
 * commit after `window.holdNext = true` waits for `window.release()`, as a slow asynchronous
 * store's may.
 */
const sharedStore = (): string => `import { createDocumentStore } from '/document-store.ts';
const db = new Promise((resolve, reject) => {
  const open = indexedDB.open('shared', 1);
  open.onupgradeneeded = () => open.result.createObjectStore('kv');
  open.onsuccess = () => resolve(open.result);
  open.onerror = () => reject(open.error);
});
const run = async (mode, f) => {
  const tx = (await db).transaction('kv', mode);
  const req = f(tx.objectStore('kv'));
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve(req.result);
    tx.onerror = () => reject(tx.error);
  });
};
const storage = {
  load: async () => (await run('readonly', (kv) => kv.get('doc'))) ?? null,
  save: async (text) => void (await run('readwrite', (kv) => kv.put(text, 'doc'))),
};
export const storedHlcs = async () => Object.keys(JSON.parse(await storage.load()).messages);
const held = async () => {
  if (window.holdNext) {
    window.holdNext = false;
    await new Promise((resolve) => (window.release = resolve));
  }
};
/** The README's document store as it is over the same record: it reads the record when opened, and saves it whole. */
export function createPlainStore() {
  const store = createDocumentStore(storage);
  return { ...store, commit: async (c) => (await held(), store.commit(c)) };
}
export function createSharedStore() {
  let schema;
  const fresh = async () => {
    const store = createDocumentStore(storage);
    await store.open(schema);
    return store;
  };
  return {
    open: async (s) => {
      schema = s;
      const state = await createDocumentStore(storage).open(s);
      // After window.holdOpen = true, the next open waits, once it has read, for window.releaseOpen().
      if (window.holdOpen) {
        window.holdOpen = false;
        await new Promise((resolve) => (window.releaseOpen = resolve));
      }
      return state;
    },
    winners: async (cells) => (await fresh()).winners(cells),
    messages: async (q) => (await fresh()).messages(q),
    commit: async (c) => {
      await held();
      if (c.meta?.clientId) (window.madeIds ??= []).push(c.meta.clientId);
      return (await fresh()).commit(c);
    },
  };
}
export const storedClientId = async () => JSON.parse(await storage.load()).meta.clientId;`;

/** Opens a client on the shared (or the plain) store in `page`, as `window.opening`; every write in the same millisecond. */
const openShared = (page: Page, make: 'createSharedStore' | 'createPlainStore' = 'createSharedStore'): Promise<unknown> => page.evaluate(`(async () => {
  const lib = await import('/sync/index.ts');
  const stores = await import('/shared-store.ts');
  const schema = lib.defineSchema({ version: 1, tables: { todos: { title: 'string', done: 'boolean' } } });
  window.opening = lib.createSyncClient({ schema, store: stores.${make}(), autoSync: false, now: () => ${Date.UTC(2026, 10, 24, 15)} });
  window.opening.then((client) => (window.app = { client }), () => {});
})()`);

/**
 * The first tab writes once, then holds a commit of two messages in the store while a second tab
 * opens on it; the second takes the store over and waits for that commit; released, it lands,
 * and the second opens and writes two messages of its own. What each saw, and what the storage
 * holds at the end. In a browser context of its own (one origin's storage and locks).
 */
async function heldCommitTakeover(app: { browser: Browser; origin: string }, make: 'createSharedStore' | 'createPlainStore') {
  const context = await app.browser.newContext(); // one browser profile: one origin's storage and locks
  try {
    const first = await context.newPage();
    await first.goto(app.origin);
    await openShared(first, make);
    await first.waitForFunction('window.app !== undefined');
    await first.evaluate(`window.app.client.set('todos', 'a', 'title', 'before')`);
    await first.evaluate(`window.holdNext = true;
      window.late = window.app.client.update('todos', 'b', { title: 'late', done: true });
      0; // not the promise, which evaluate() would wait for`);
    await first.waitForFunction('typeof window.release === "function"');
    const second = await context.newPage();
    await second.goto(app.origin);
    await openShared(second, make);
    // It took the store over, and waits for the first tab's commit (client-lock.ts's calls lock).
    await expect.poll(() => second.evaluate(`navigator.locks.query().then((s) => s.pending.some((l) => l.name.endsWith(':calls')))`)).toBe(true);
    const openedBeforeIt = await second.evaluate('window.app !== undefined');
    const theirs = (await first.evaluate('window.release(), window.late.then((ms) => ms.map((m) => m.hlc))')) as string[];
    await second.waitForFunction('window.app !== undefined');
    const pending = await second.evaluate('window.app.client.status.pending');
    const mine = (await second.evaluate(`window.app.client.update('todos', 'c', { title: 'second', done: false }).then((ms) => ms.map((m) => m.hlc))`)) as string[];
    const stored = await second.evaluate(`import('/shared-store.ts').then((m) => m.storedHlcs())`) as string[];
    return { openedBeforeIt, theirs, pending, mine, stored };
  } finally {
    await context.close();
  }
}

describe.skipIf(chromiumPath === null)(chromiumPath === null ? 'two tabs on one store (skipped: no Chromium found on this machine)' : 'two tabs on one store, in Chromium', () => {
  const app = appInChromium(chromiumPath as string, { '/document-store.ts': documentStore, '/shared-store.ts': sharedStore });

  it('the tab opened last takes the store over; the first stops, says why, and writes nothing more', async () => {
    const context = await app.browser.newContext(); // one browser profile: one origin's storage and locks
    try {
      const first = await openTab(context, app.origin);
      expect(await write(first, 'a')).toBe('ok');
      const second = await openTab(context, app.origin);
      expect(await second.evaluate('window.app.client.clientId')).toBe(await first.evaluate('window.app.client.clientId'));
      await first.waitForFunction('window.app.client.status.state === "error"');
      expect(await write(first, 'b')).toEqual({
        name: 'StoreError', code: 'store', message: expect.stringMatching(/^another client opened this store .*another tab of this app/),
      });
      expect(await write(second, 'c')).toBe('ok');
      // Closed, the second lets go: a tab opened after it works, and the first stays stopped.
      await second.evaluate('window.app.client.close()');
      const third = await openTab(context, app.origin);
      expect(await write(third, 'd')).toBe('ok');
      expect(await third.evaluate('window.app.client.status.error')).toBeNull();
    } finally {
      await context.close();
    }
  });

  it('a commit the first tab still has under way lands before the second tab reads the store: no hlc is stamped twice', async () => {
    const { openedBeforeIt, theirs, mine, stored } = await heldCommitTakeover(app, 'createSharedStore');
    expect(openedBeforeIt).toBe(false);
    expect(theirs).toHaveLength(2);
    for (const hlc of mine) expect(theirs.every((t) => hlc > t)).toBe(true);
    // Nothing was lost: the storage holds all five messages (the first's three, the second's two).
    expect(stored).toHaveLength(5);
    expect(stored).toEqual(expect.arrayContaining([...theirs, ...mine]));
  });

  it('two tabs that read a new store at once agree on one clientId: it is made once, and the tab that got it last has the store', async () => {
    const context = await app.browser.newContext(); // one browser profile: one origin's storage and locks
    try {
      const tabs = await Promise.all([context.newPage(), context.newPage()]);
      await Promise.all(tabs.map((tab) => tab.goto(app.origin)));
      // Both read the new store before either goes on: neither has seen a clientId.
      await Promise.all(tabs.map((tab) => tab.evaluate('window.holdOpen = true')));
      await Promise.all(tabs.map((tab) => openShared(tab)));
      await Promise.all(tabs.map((tab) => tab.waitForFunction('typeof window.releaseOpen === "function"')));
      await Promise.all(tabs.map((tab) => tab.evaluate('window.releaseOpen()')));
      // Each tab's client: its clientId and why it stopped (if it did), or why createSyncClient rejected.
      // Read once both have opened: the tab that took the store over opened after the other had let go of it.
      const settled = tabs.map((tab) => tab.evaluate('window.opening.then(() => 0, () => 0)'));
      await Promise.all(settled);
      const outcome = (tab: Page): Promise<{ clientId?: string; stopped?: string | null; refused?: string }> => tab.evaluate(`window.opening.then(
        (c) => ({ clientId: c.clientId, stopped: c.status.error?.message ?? null }), (e) => ({ refused: e.message }))`);
      const outcomes = await Promise.all(tabs.map(outcome));
      const made = (await Promise.all(tabs.map((tab) => tab.evaluate('window.madeIds ?? []')))).flat();
      const stored = await (tabs[0] as Page).evaluate(`import('/shared-store.ts').then((m) => m.storedClientId())`);
      expect(made).toEqual([stored]);
      // One tab has the store; the other stopped (while it opened, or after) and says why.
      const working = outcomes.filter((o) => o.clientId !== undefined && o.stopped === null);
      expect(working).toEqual([{ clientId: stored, stopped: null }]);
      const other = outcomes.find((o) => !working.includes(o));
      expect(other?.refused ?? other?.stopped).toMatch(/^another client opened this store/);
    } finally {
      await context.close();
    }
  });

  it('the README\'s document store as it is: the second tab opens it again once the first tab\'s commit has landed, and writes over none of it', async () => {
    // The second tab reads the record when it opens, without the first tab's held commit.
    const { pending, theirs, mine, stored } = await heldCommitTakeover(app, 'createPlainStore');
    // Its status counts the first tab's unsynced writes: one, then two in the late commit.
    expect(pending).toBe(3);
    for (const hlc of mine) expect(theirs.every((t) => hlc > t)).toBe(true);
    // Its save holds the first tab's late commit: its copy was read again after it.
    expect(stored).toHaveLength(5);
    expect(stored).toEqual(expect.arrayContaining([...theirs, ...mine]));
  });
});
