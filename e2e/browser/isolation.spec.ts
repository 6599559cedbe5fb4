/**
 * "Only the page the launcher opened can reach an instance", in a real browser and from
 * outside one: another instance's page, a page of another website and a local program
 * cannot use an instance's API. Pages hold no secret (the session cookie is HttpOnly); a
 * browser holding the cookie still reaches the API only from the instance's own page (the
 * Origin check); a program can forge any header but has no cookie, and cannot get one.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import WebSocket from 'ws';
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

test("a page reaches its own instance's API, and no other page does, even in a browser signed in to it", async ({ cluster, browser }) => {
  const [a, b] = cluster.instances as [(typeof cluster.instances)[number], (typeof cluster.instances)[number]];
  const urlA = (await apiUrl(a.page)) as string;
  const urlB = (await apiUrl(b.page)) as string;
  expect(urlA).toBe(`ws://${new URL(a.page.url()).host}/api`);
  expect(await a.page.content()).not.toMatch(/key=|fieldsync-[\w-]{16}=/); // no secret in the page
  expect(await a.page.evaluate(() => document.cookie)).toBe(''); // HttpOnly: no script reads it

  // Its own page: yes.
  expect(await a.page.evaluate(tryApi, urlA)).toBe('answered');
  // The page of another instance: no. Its CSP lets it open no socket but its own; and the
  // host would refuse its Origin anyway (unit-tested in src/web-host).
  expect(await a.page.evaluate(tryApi, urlB)).toBe('refused');
  // Nor can it read the other instance's page.
  const read = await a.page.evaluate(async (url) => fetch(url).then((r) => r.text().then(() => 'read'), () => 'blocked').catch(() => 'blocked'), new URL(b.page.url()).href);
  expect(read).toBe('blocked');

  // Any other page on this machine (another local web app, a page without our CSP), in a
  // browser that is signed in to A (cookies are not isolated by port, so they go along):
  // the host refuses its Origin. And a Host other than 127.0.0.1:PORT.
  const other = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>other</title>'));
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  const evil = await browser.newPage();
  try {
    const nextLink = /\[web-1\] .*a browser signed in; to open this instance in another browser, use (\S+)/.exec(cluster.logs())?.[1];
    expect(nextLink).toBeTruthy();
    await evil.goto(nextLink as string); // this browser now holds A's cookie
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

test('a local program gets nothing from an instance: no page, no key, no API, whatever headers it forges', async ({ cluster }) => {
  const a = (cluster.instances as [(typeof cluster.instances)[number]])[0];
  const origin = new URL(a.page.url()).origin;
  for (const path of ['/', '/index.html', '/login', '/login?code=guess']) {
    const res = await fetch(`${origin}${path}`, { redirect: 'manual', headers: { Origin: origin, Referer: `${origin}/` } });
    expect(res.status, path).toBe(403);
    expect(await res.text()).not.toMatch(/fieldsync-host|key=/);
  }
  const attempt = (headers: Record<string, string>): Promise<string> => new Promise((resolve) => {
    const ws = new WebSocket(`ws://${new URL(origin).host}/api`, { origin, headers });
    ws.once('open', () => { ws.close(); resolve('open'); });
    ws.once('unexpected-response', (_req, res) => resolve(`HTTP ${res.statusCode}`));
    ws.once('error', () => resolve('error'));
  });
  expect(await attempt({})).toBe('HTTP 403');
  expect(await attempt({ Cookie: 'fieldsync-0000000000000000=guess' })).toBe('HTTP 403');
  await expect.poll(() => cluster.logs()).toContain('[web-1] fieldsync web host [web-1]: refused a WebSocket: no session cookie');
  // The page it served still works: nothing of that reached the instance.
  expect(await a.callApi('rows', ['lists', {}])).toEqual({ ok: true, value: [] });
});
