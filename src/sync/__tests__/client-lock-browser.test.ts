/**
 * Two tabs of one web app, in a real browser (Chromium), on the README's document store over
 * localStorage (docs/examples/document-store.ts): one origin, one storage, so one clientId. Two
 * clients on it stamped different writes with the same hlc, and the server kept one (the web
 * audit's F1, F2). The tab opened last takes the store over (client-lock.ts); the other stops,
 * and says why. The page runs the core itself (`src/sync`, its types stripped, as
 * server/__tests__/cors-browser.test.ts does).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
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

describe.skipIf(chromiumPath === null)(chromiumPath === null ? 'two tabs on one store (skipped: no Chromium found on this machine)' : 'two tabs on one store, in Chromium', () => {
  const app = appInChromium(chromiumPath as string, { '/document-store.ts': documentStore });

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
});
