/**
 * Two tabs of one web app, in a real browser (Chromium), on the README's document store over
 * localStorage (docs/examples/document-store.ts): one origin, one storage, so one clientId. Two
 * clients on it stamped different writes with the same hlc, and the server kept one (the web
 * audit's F1, F2). The tab opened last takes the store over (client-lock.ts); the other stops,
 * and says why. The page runs the core itself (`src/sync`, its types stripped, as
 * server/__tests__/cors-browser.test.ts does).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { stripTypeScriptTypes } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedChromium, CHROMIUM_ARGS } from '../../../e2e/support/chromium.ts';

const core = join(import.meta.dirname, '..');
const example = join(import.meta.dirname, '..', '..', '..', 'docs', 'examples', 'document-store.ts');
const chromiumPath = installedChromium();

/** The app's origin: a page, the core's modules, and the README's store (importing the core). */
async function appOrigin(): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const js = (text: string) => res.writeHead(200, { 'content-type': 'text/javascript' }).end(stripTypeScriptTypes(text));
    if (path === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>two tabs</title>');
    if (path === '/document-store.ts') return void js(readFileSync(example, 'utf8').replace(/from 'fieldsync'/, "from '/sync/index.ts'"));
    const file = normalize(join(core, path.slice('/sync/'.length)));
    if (!path.startsWith('/sync/') || !path.endsWith('.ts') || !file.startsWith(core)) return void res.writeHead(404).end();
    js(readFileSync(file, 'utf8'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

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
  let app: Awaited<ReturnType<typeof appOrigin>>;
  let browser: Browser;
  beforeAll(async () => {
    app = await appOrigin();
    browser = await chromium.launch({ executablePath: chromiumPath as string, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('the tab opened last takes the store over; the first stops, says why, and writes nothing more', async () => {
    const context = await browser.newContext(); // one browser profile: one origin's storage and locks
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
