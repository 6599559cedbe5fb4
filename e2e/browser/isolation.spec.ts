/**
 * "A page can reach only its own instance", in a real browser: another instance's page, and
 * a page of another website, cannot use an instance's API even when they know its key
 * (the Origin check), and cannot read its page to learn the key (same-origin policy).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { expect, test } from '../support/browser-fixtures.ts';

test.use({ instanceCount: 2 });

/** Runs in a page: whether a WebSocket to `url` opens and answers a call. */
function tryApi(url: string): Promise<string> {
  return new Promise((resolve) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      return resolve('refused'); // the page's CSP
    }
    const timer = setTimeout(() => resolve('timeout'), 5000);
    ws.onerror = () => {
      clearTimeout(timer);
      resolve('refused');
    };
    ws.onopen = () => ws.send(JSON.stringify({ id: 1, method: 'info', args: [] }));
    ws.onmessage = () => {
      clearTimeout(timer);
      ws.close();
      resolve('answered');
    };
    ws.onclose = () => {
      clearTimeout(timer);
      resolve('refused');
    };
  });
}

const apiUrl = (page: Page): Promise<string | null> => page.locator('meta[name="fieldsync-host"]').getAttribute('content');

test("a page reaches its own instance's API, and no other page does, even knowing the key", async ({ cluster, browser }) => {
  const [a, b] = cluster.instances as [(typeof cluster.instances)[number], (typeof cluster.instances)[number]];
  const urlA = (await apiUrl(a.page)) as string;
  const urlB = (await apiUrl(b.page)) as string;
  expect(urlA).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/api\?key=[\w-]{43}$/);

  // Its own page: yes.
  expect(await a.page.evaluate(tryApi, urlA)).toBe('answered');
  // The page of another instance, with the right key: no. Its CSP lets it open no socket
  // but its own; and the host would refuse its Origin anyway (unit-tested in src/web-host).
  expect(await a.page.evaluate(tryApi, urlB)).toBe('refused');
  // Nor can it read the other instance's page, where the key is.
  const read = await a.page.evaluate(async (url) => fetch(url).then((r) => r.text().then(() => 'read'), () => 'blocked').catch(() => 'blocked'), new URL(b.page.url()).href);
  expect(read).toBe('blocked');

  // Any other page on this machine (another local web app, a page without our CSP), with
  // the right key: the host refuses its Origin. And a Host other than 127.0.0.1:PORT.
  const other = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>other</title>'));
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  const evil = await browser.newPage();
  try {
    await evil.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
    expect(await evil.evaluate(tryApi, urlA)).toBe('refused');
    await expect.poll(() => cluster.logs()).toContain('[web-1] fieldsync web host [web-1]: refused a WebSocket: wrong Origin');
    expect(await evil.evaluate(tryApi, urlA.replace('127.0.0.1', 'localhost'))).toBe('refused');
    await expect.poll(() => cluster.logs()).toContain('[web-1] fieldsync web host [web-1]: refused a WebSocket: wrong Host header');
    // A website on the internet: the browser may already block it (Local Network Access),
    // and the host would refuse it as above.
    await evil.route('http://evil.example/', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>evil</title>' }));
    await evil.goto('http://evil.example/');
    expect(await evil.evaluate(tryApi, urlA)).toBe('refused');
  } finally {
    await evil.close();
    other.close();
  }

  // Nothing of the above reached either instance: no list was read or written by them.
  await expect(a.page.getByTestId('no-lists')).toBeVisible();
});
