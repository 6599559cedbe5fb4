/**
 * A web app on another origin, in a real browser (Chromium), against the real server: the
 * page is served from http://127.0.0.1:<a> and syncs with http://localhost:<b>, another
 * origin (another host, another port), so that every request is a cross-origin one, with its
 * preflight (Authorization and JSON make none of them simple). The page runs the core itself
 * (`src/sync`, its types stripped, as compression-browser.test.ts does), with the library's
 * HTTP remote, `gzipRequests()` and `pokeStream()`, as the README's web app would.
 *
 * With the page's origin in `--cors-origins`, two pages (two devices of one user) converge
 * through the server, the second one told by a poke, the first one's pushes gzipped (it read
 * the server's `Accept-Encoding`: an exposed header), and a refused token is a RemoteError
 * the page can read. With another origin listed instead, the browser blocks every answer:
 * the page sees a NetworkError, as the server's CORS must make it.
 */
import type { Browser, Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedChromium } from '../../e2e/support/chromium.ts';
import { appInChromium } from '../../test-support/core-in-browser.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

const chromiumPath = installedChromium();

/** The server as the page must name it: `localhost`, not the page's `127.0.0.1`. */
const crossOrigin = (t: TestServer): string => `http://localhost:${t.server.port}`;

/**
 * Opens the app in a new page and starts a sync client in it, as `window.app`. Its fetch
 * records what the page could read of each answer. (A string, not a function: the test
 * runner would rewrite a function's dynamic import.)
 */
async function openDevice(browser: Browser, origin: string, serverUrl: string, token: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(origin);
  await page.evaluate(`(async () => {
    const lib = await import('/sync/index.ts');
    const answers = [];
    const fetchRecorded = async (url, init) => {
      const response = await fetch(url, init);
      answers.push({
        path: new URL(url).pathname, status: response.status,
        requestEncoding: (init && init.headers && init.headers['Content-Encoding']) || null,
        acceptEncoding: response.headers.get('accept-encoding'),
      });
      return response;
    };
    const schema = lib.defineSchema({ version: 1, tables: { todos: { title: 'string', done: 'boolean' } } });
    const remote = lib.createHttpRemote({ url: ${JSON.stringify(serverUrl)}, token: ${JSON.stringify(token)}, pokes: lib.pokeStream(), compress: lib.gzipRequests, fetch: fetchRecorded });
    // No interval: after its first sync, a device hears of the other's writes by a poke only.
    const client = await lib.createSyncClient({ schema, store: lib.createMemoryStore(), remote, intervalMs: 3600000 });
    const remoteChanges = [];
    client.on('change', (e) => { if (e.source === 'remote') remoteChanges.push(e.changes); });
    window.app = { lib, client, answers, remoteChanges };
  })()`);
  return page;
}

/** What a page gets from one sync with `token`: the answer, or the error's name, code and what it could read. */
const syncOnce = (page: Page, serverUrl: string, token: string): Promise<Record<string, unknown>> => page.evaluate(`(async () => {
  const remote = window.app.lib.createHttpRemote({ url: ${JSON.stringify(serverUrl)}, token: ${JSON.stringify(token)} });
  try {
    const answer = await remote.sync({ clientId: 'probe', cursor: 0 });
    return { ok: true, cursor: answer.cursor };
  } catch (e) {
    return { ok: false, name: e.name, code: e.code, status: e.status ?? null, serverTime: e.serverTime ?? null, message: e.message };
  }
})()`);

describe.skipIf(chromiumPath === null)(chromiumPath === null ? 'a web app on another origin (skipped: no Chromium found on this machine)' : 'a web app on another origin, in Chromium', () => {
  const app = appInChromium(chromiumPath as string);

  describe('allowed by --cors-origins', () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer({ env: { FIELDSYNC_CORS_ORIGINS: `https://app.example.com,${app.origin}` } });
    });
    afterAll(async () => {
      await t?.stop();
    });

    it('syncs two devices through the server, the second told by a poke, and reads a refusal as a RemoteError', async () => {
      const server = crossOrigin(t);
      const token = await t.token('web-user');
      const a = await openDevice(app.browser, app.origin, server, token);
      const b = await openDevice(app.browser, app.origin, server, token);
      try {
        // Both have synced once and hold an open poke stream.
        await a.waitForFunction('window.app.answers.some((x) => x.path === "/v1/events" && x.status === 200)');
        await b.waitForFunction('window.app.answers.some((x) => x.path === "/v1/events" && x.status === 200)');
        await a.evaluate('window.app.client.sync()');
        // Large enough (over 1 KiB) for gzipRequests to compress, once the server has said it may.
        await a.evaluate(`(async () => {
          for (let i = 0; i < 20; i++) await window.app.client.update('todos', 'row-' + i, { title: 'Buy milk and bread, a long enough title ' + i, done: i % 2 === 0 });
          await window.app.client.sync();
        })()`);
        await b.waitForFunction('window.app.remoteChanges.flatMap((c) => c.todos || []).length >= 20', undefined, { timeout: 10_000 });
        const seen = await b.evaluate(`window.app.client.recent(100).then((m) => m.filter((x) => x.column === 'title').map((x) => x.value).sort())`);
        expect(seen).toHaveLength(20);
        expect(seen).toContain('Buy milk and bread, a long enough title 7');
        const answersA = (await a.evaluate('window.app.answers')) as { path: string; status: number; requestEncoding: string | null; acceptEncoding: string | null }[];
        // The page read the server's advertisement (an exposed header), and gzipped its push.
        expect(answersA.filter((x) => x.path === '/v1/sync').every((x) => x.status === 200 && /gzip/.test(x.acceptEncoding ?? ''))).toBe(true);
        expect(answersA.some((x) => x.requestEncoding === 'gzip')).toBe(true);
        expect((await t.pullAll('web-user')).length).toBe(40);

        // A refused token: the page reads the protocol error, with the server's Date.
        const refused = await syncOnce(a, server, 'not-a-token');
        expect(refused).toMatchObject({ ok: false, name: 'RemoteError', code: 'unauthorized', status: 401 });
        expect(typeof refused.serverTime).toBe('number');
        expect(t.logs.some((l) => l.method === 'OPTIONS' && l.status === 204)).toBe(true);
      } finally {
        await a.evaluate('window.app.client.close()').catch(() => undefined);
        await b.evaluate('window.app.client.close()').catch(() => undefined);
        await a.close();
        await b.close();
      }
    });
  });

  describe('not allowed (another origin listed)', () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer({ env: { FIELDSYNC_CORS_ORIGINS: 'https://app.example.com' } });
    });
    afterAll(async () => {
      await t?.stop();
    });

    it('is blocked by the browser: a NetworkError, for a good token as for a bad one', async () => {
      const page = await app.browser.newPage();
      await page.goto(app.origin);
      await page.evaluate(`import('/sync/index.ts').then((lib) => { window.app = { lib }; })`);
      try {
        const server = crossOrigin(t);
        for (const token of [await t.token('web-user'), 'not-a-token']) {
          expect(await syncOnce(page, server, token)).toMatchObject({ ok: false, name: 'NetworkError', code: 'network' });
        }
        // The browser asked (its preflight reached the server), and got no leave to send.
        expect(t.logs.some((l) => l.method === 'OPTIONS' && l.status === 405)).toBe(true);
        expect(t.logs.some((l) => l.method === 'POST')).toBe(false);
      } finally {
        await page.close();
      }
    });
  });
});
