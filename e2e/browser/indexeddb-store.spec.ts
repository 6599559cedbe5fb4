/**
 * The docs' IndexedDB store (docs/examples/indexeddb-store.ts) in a real browser: a web app
 * bundled by Vite (support/indexeddb-app.ts) runs `fieldsync/testing`'s store suite on it in
 * Chromium, then two devices, each a browser context with its own IndexedDB, sync through the
 * reference server (a child process on loopback, the page's origin in its CORS setting):
 * writes made offline survive a reload and converge once both are back; of two tabs on one
 * database, the one opened last takes it over. A commit IndexedDB refuses (a value it cannot
 * clone) is aborted whole; through the client, a commit that fails mid-way (a put that throws,
 * a transaction aborted at commit; injected) writes nothing and is a StoreError.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { storeConformance } from 'fieldsync/testing';
import { installedChromium } from '../support/chromium.ts';
import { serveIdbApp, type IdbAppOrigin } from '../support/indexeddb-app.ts';
import type { IdbApp } from '../support/indexeddb-page.ts';
import { startTestServer, type TestServer } from '../support/sync-server.ts';

// The global setup installs a browser where none is found, and sets CHROMIUM_PATH; where even
// that failed, say why rather than fail on a launch.
const chromiumPath = process.env.CHROMIUM_PATH ?? installedChromium();
test.skip(chromiumPath === null, 'no Chromium on this machine (set CHROMIUM_PATH, or install chromium): the IndexedDB store runs in a real browser only');
test.describe.configure({ mode: 'serial' });

let app: IdbAppOrigin;
let server: TestServer;
let dir: string;
test.beforeAll(async () => {
  app = await serveIdbApp();
  dir = mkdtempSync(join(tmpdir(), 'fieldsync-idb-'));
  server = await startTestServer(dir, { FIELDSYNC_CORS_ORIGINS: app.origin });
});
test.afterAll(async () => {
  await server?.stop();
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A page of the app in a new context (a device with its own IndexedDB), `window.idbApp` loaded. */
async function openPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await loaded(page);
  return page;
}
async function loaded(page: Page, reload = false): Promise<void> {
  await (reload ? page.reload() : page.goto(app.origin));
  await page.waitForFunction(() => 'idbApp' in window);
}

/** Calls `window.idbApp[method](...args)` in the page. */
function call<K extends keyof IdbApp>(page: Page, method: K, ...args: Parameters<IdbApp[K]>): Promise<Awaited<ReturnType<IdbApp[K]>>> {
  return page.evaluate(
    ([m, a]) => (window as unknown as { idbApp: Record<string, (...x: unknown[]) => unknown> }).idbApp[m]?.(...a),
    [method, args] as const,
  ) as Promise<Awaited<ReturnType<IdbApp[K]>>>;
}
const openDevice = (page: Page): Promise<void> => call(page, 'open', 'todo-app', server.url, server.token);

test('the store conformance suite of fieldsync/testing passes on IndexedDB', async ({ browser }) => {
  const page = await openPage(browser);
  const report = await call(page, 'conformance');
  test.info().annotations.push({ type: 'conformance', description: `${report.passed} passed, ${report.skipped.length} skipped: ${report.skipped.join('; ')}` });
  expect(report.failed).toEqual([]);
  // Every case that runs for a store without transact, as the suite lists them here in Node.
  const cases = storeConformance(() => ({ store: { open: () => ({ meta: {}, maxHlc: null, pendingCount: 0 }), winners: () => new Map(), messages: () => [], commit: () => {} }, readRow: () => undefined }), { transact: false });
  expect(report.passed).toBe(cases.filter((c) => c.skip === undefined).length);
  await page.context().close();
});

test('two devices converge through the server: offline writes survive a reload, then sync', async ({ browser }) => {
  const a = await openPage(browser);
  const b = await openPage(browser);
  await openDevice(a);
  await openDevice(b);
  await call(a, 'update', 't1', { title: 'Buy milk', done: false });
  expect(await call(a, 'sync')).toBe('ok');
  expect(await call(b, 'sync')).toBe('ok');
  expect(await call(b, 'readRow', 't1')).toEqual({ title: 'Buy milk', done: false });

  // Both offline: each writes, one cell in conflict (b's write is the later one).
  await a.context().setOffline(true);
  await b.context().setOffline(true);
  expect(await call(a, 'update', 't1', { title: 'Buy oat milk' })).toBe('ok');
  expect(await call(a, 'update', 't2', { title: 'From a', done: false })).toBe('ok');
  await a.waitForTimeout(20);
  expect(await call(b, 'update', 't1', { title: 'Buy almond milk' })).toBe('ok');
  expect(await call(b, 'update', 't3', { title: 'From b', done: true })).toBe('ok');
  expect(await call(a, 'sync')).toMatchObject({ name: 'NetworkError', code: 'network' });
  const pendingA = (await call(a, 'status')).pending;
  expect(pendingA).toBe(3);

  // a reloads while it still cannot reach the server (the page itself loads): its data and its unpushed writes are in IndexedDB.
  const unreachable = `${server.url}/**`;
  await a.context().route(unreachable, (route) => route.abort('internetdisconnected'));
  await a.context().setOffline(false);
  await loaded(a, true);
  await openDevice(a);
  expect(await call(a, 'readRow', 't1')).toEqual({ title: 'Buy oat milk', done: false });
  expect(await call(a, 'readRow', 't2')).toEqual({ title: 'From a', done: false });
  expect((await call(a, 'status')).pending).toBe(pendingA);
  expect(await call(a, 'sync')).toMatchObject({ name: 'NetworkError' });

  await a.context().unroute(unreachable);
  await b.context().setOffline(false);
  for (const page of [a, b, a]) expect(await call(page, 'sync')).toBe('ok');
  const expected = { t1: { title: 'Buy almond milk', done: false }, t2: { title: 'From a', done: false }, t3: { title: 'From b', done: true } };
  for (const page of [a, b]) {
    for (const [row, fields] of Object.entries(expected)) expect(await call(page, 'readRow', row)).toEqual(fields);
    expect((await call(page, 'status')).pending).toBe(0);
  }

  // b reloads: what it pulled is in its IndexedDB too.
  await loaded(b, true);
  await openDevice(b);
  for (const [row, fields] of Object.entries(expected)) expect(await call(b, 'readRow', row)).toEqual(fields);
  expect((await call(b, 'status')).pending).toBe(0);
  await a.context().close();
  await b.context().close();
});

test('two tabs on one IndexedDB database: the tab opened last takes the store over, the other stops and says why', async ({ browser }) => {
  const first = await openPage(browser);
  await call(first, 'open', 'tabs-app', server.url, server.token);
  expect(await call(first, 'update', 'tab-1', { title: 'from the first tab', done: false })).toBe('ok');
  const second = await first.context().newPage(); // same origin, same IndexedDB
  await loaded(second);
  await call(second, 'open', 'tabs-app', server.url, server.token);
  expect(await call(second, 'readRow', 'tab-1')).toEqual({ title: 'from the first tab', done: false });
  expect(await call(first, 'update', 'tab-2', { title: 'too late', done: false })).toMatchObject({ name: 'StoreError', message: expect.stringContaining('another client opened this store') });
  expect(await call(second, 'update', 'tab-2', { title: 'from the second tab', done: false })).toBe('ok');
  expect(await call(second, 'readRow', 'tab-2')).toEqual({ title: 'from the second tab', done: false });
  await first.context().close();
});

test('a commit IndexedDB cannot clone is aborted whole: nothing of it is written', async ({ browser }) => {
  const page = await openPage(browser);
  const r = await call(page, 'uncloneableCommit', 'uncloneable');
  expect(r.outcome).toMatchObject({ name: 'DataCloneError' });
  expect(r.row).toBeUndefined(); // not the first cell, written before the put that threw
  expect(r.pending).toBe(0); // nor the message
  await page.context().close();
});

for (const [kind, cause] of [['put', 'DataCloneError'], ['abort', 'AbortError']] as const) {
  // Rows of their own: the server holds the other tests' rows of the same user, which these devices pull.
  test(`a local write whose transaction fails mid-commit (${kind}) is a StoreError, writes nothing, and the client goes on`, async ({ browser }) => {
    const page = await openPage(browser);
    await call(page, 'open', `fail-${kind}`, server.url, server.token);
    expect(await call(page, 'update', `${kind}-1`, { title: 'kept', done: false })).toBe('ok');
    await call(page, 'failNextCommit', kind, `${kind}-2`);
    expect(await call(page, 'update', `${kind}-2`, { title: 'never', done: true })).toMatchObject({ name: 'StoreError', code: 'store', cause });
    expect(await call(page, 'readRow', `${kind}-2`)).toBeUndefined(); // not its first cell either
    expect(await call(page, 'messagesOf', `${kind}-2`)).toBe(0);
    expect(await call(page, 'update', `${kind}-2`, { title: 'later', done: true })).toBe('ok');
    await loaded(page, true);
    await call(page, 'open', `fail-${kind}`, server.url, server.token);
    expect(await call(page, 'readRow', `${kind}-1`)).toEqual({ title: 'kept', done: false });
    expect(await call(page, 'readRow', `${kind}-2`)).toEqual({ title: 'later', done: true });
    expect(await call(page, 'messagesOf', `${kind}-2`)).toBe(2);
    await page.context().close();
  });
}
