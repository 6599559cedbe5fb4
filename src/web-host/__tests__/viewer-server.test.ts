/** The one-screen viewer on its own: who gets in, what its page holds, and its frames' links. */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { productNameInHtml } from '../../../test-support/app-name.ts';
import { contentSecurityPolicy, securityHeaders } from '../host-security.ts';
import { startViewer, type Viewer } from '../viewer/viewer-server.ts';

let viewer: Viewer | null = null;
afterEach(async () => {
  await viewer?.close();
  viewer = null;
});

/** A raw request, with whatever Host header a local program could send. */
function get(origin: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const url = new URL(path, origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const pathOf = (link: string): string => new URL(link).pathname + new URL(link).search;

describe('the one-screen viewer', () => {
  it('takes its one-time link once (and not after 15 minutes), sets no cookie, and serves nothing under another name or for other methods', async () => {
    let now = 0;
    viewer = await startViewer({ now: () => now });
    expect((await get(viewer.origin, '/login?code=guess')).status).toBe(403);
    const link = viewer.loginUrl();
    const first = await get(viewer.origin, pathOf(link));
    expect(first.status).toBe(200);
    expect(first.headers['set-cookie']).toBeUndefined();
    expect((await get(viewer.origin, pathOf(link))).status).toBe(403);
    const late = viewer.loginUrl();
    now += 15 * 60_000;
    expect((await get(viewer.origin, pathOf(late))).status).toBe(403);
    expect((await get(viewer.origin, '/', { host: 'localhost' })).status).toBe(421);
    expect((await get(viewer.origin, '/', {}, 'POST')).status).toBe(405);
    for (const path of ['/frame/1', '/nope']) expect((await get(viewer.origin, path)).status).toBe(404);
  });

  it('answers its link with frames at fresh sign-in links, and / with the plain addresses; no cookie opens anything', async () => {
    viewer = await startViewer();
    let issued = 0;
    viewer.setInstances([
      { name: 'web-1', origin: 'http://127.0.0.1:4101', newLoginUrl: async () => `http://127.0.0.1:4101/login?code=c${++issued}` },
      { name: '<b>x</b>', origin: 'http://127.0.0.1:4102', newLoginUrl: async () => Promise.reject(new Error('gone')) },
    ]);
    const page = await get(viewer.origin, pathOf(viewer.loginUrl()));
    expect(page.status).toBe(200);
    expect(page.body).toContain(`title="${productNameInHtml} instance &lt;b&gt;x&lt;/b&gt;"`);
    expect(page.body).toContain(`<iframe data-sign-in="http://127.0.0.1:4101/login?code=c1" title="${productNameInHtml} instance web-1">`);
    expect(page.body).toContain('<iframe src="http://127.0.0.1:4102/" title'); // no link from it: its plain address
    expect(page.body).toContain('<script src="/viewer.js" defer></script>');
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src http://127.0.0.1:4101 http://127.0.0.1:4102; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    // The plain page: no link at all, whatever cookie comes along, and nothing mints one.
    const plain = await get(viewer.origin, '/', { cookie: 'fieldsync-anything=stolen' });
    expect(plain.status).toBe(200);
    expect(plain.body).not.toMatch(/code=|data-sign-in/);
    expect(plain.body).toContain(`<iframe src="http://127.0.0.1:4101/" title="${productNameInHtml} instance web-1">`);
    expect(issued).toBe(1);
    const js = await get(viewer.origin, '/viewer.js');
    expect([js.status, js.headers['content-type']]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(js.body).toContain("history.replaceState(null, '', '/')");
  });

  it('gives its page an empty icon its policy allows, so the browser asks for no /favicon.ico (a 404, a console error)', async () => {
    viewer = await startViewer();
    viewer.setInstances([]);
    const page = await get(viewer.origin, '/');
    expect(page.body).toMatch(/<head>[^]*<link rel="icon" href="data:," \/>[^]*<\/head>/);
    expect(page.headers['content-security-policy']).toMatch(/img-src [^;]*\bdata:/);
    expect((await get(viewer.origin, '/favicon.ico')).status).toBe(404); // what the browser would have asked for
  });

  it('lets an instance be framed by exactly the viewer, and by nothing without one', () => {
    expect(contentSecurityPolicy(4101)).toContain("frame-ancestors 'none'");
    expect(securityHeaders(4101)['X-Frame-Options']).toBe('DENY');
    const framed = securityHeaders(4101, 'http://127.0.0.1:4200');
    expect(framed['Content-Security-Policy']).toMatch(/frame-ancestors http:\/\/127\.0\.0\.1:4200$/);
    expect(framed['X-Frame-Options']).toBeUndefined();
  });
});
