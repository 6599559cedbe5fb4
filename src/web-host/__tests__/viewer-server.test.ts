/** The one-screen viewer on its own: who gets in, what its page holds, and its frames' links. */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
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

async function signedIn(v: Viewer): Promise<string> {
  const res = await get(v.origin, new URL(v.loginUrl()).pathname + new URL(v.loginUrl()).search);
  expect(res.status).toBe(303);
  return String(res.headers['set-cookie']).split(';')[0] as string;
}

describe('the one-screen viewer', () => {
  it('serves nothing without its cookie, nor under another name, nor for other methods', async () => {
    viewer = await startViewer();
    expect((await get(viewer.origin, '/')).status).toBe(403);
    expect((await get(viewer.origin, '/viewer.css')).status).toBe(403);
    expect((await get(viewer.origin, '/login?code=guess')).status).toBe(403);
    const cookie = await signedIn(viewer);
    expect((await get(viewer.origin, '/', { cookie, host: 'localhost' })).status).toBe(421);
    expect((await get(viewer.origin, '/', { cookie }, 'POST')).status).toBe(405);
    expect((await get(viewer.origin, '/', { cookie })).status).toBe(200);
  });

  it('frames each instance through a fresh link, escapes names, and says when an instance does not answer', async () => {
    viewer = await startViewer();
    let issued = 0;
    viewer.setInstances([
      { name: 'web-1', origin: 'http://127.0.0.1:4101', newLoginUrl: async () => `http://127.0.0.1:4101/login?code=c${++issued}` },
      { name: '<b>x</b>', origin: 'http://127.0.0.1:4102', newLoginUrl: async () => Promise.reject(new Error('gone')) },
    ]);
    const cookie = await signedIn(viewer);
    const page = await get(viewer.origin, '/', { cookie });
    expect(page.body).toContain('title="Fieldsync instance &lt;b&gt;x&lt;/b&gt;"');
    expect(page.body).not.toContain('code=');
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'none'; style-src 'self'; img-src 'self'; frame-src 'self' http://127.0.0.1:4101 http://127.0.0.1:4102; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    const first = await get(viewer.origin, '/frame/1', { cookie });
    const again = await get(viewer.origin, '/frame/1', { cookie });
    expect([first.headers.location, again.headers.location]).toEqual(['http://127.0.0.1:4101/login?code=c1', 'http://127.0.0.1:4101/login?code=c2']);
    expect((await get(viewer.origin, '/frame/2', { cookie })).status).toBe(503);
    expect((await get(viewer.origin, '/frame/3', { cookie })).status).toBe(404);
  });

  it('lets an instance be framed by exactly the viewer, and by nothing without one', () => {
    expect(contentSecurityPolicy(4101)).toContain("frame-ancestors 'none'");
    expect(securityHeaders(4101)['X-Frame-Options']).toBe('DENY');
    const framed = securityHeaders(4101, 'http://127.0.0.1:4200');
    expect(framed['Content-Security-Policy']).toMatch(/frame-ancestors http:\/\/127\.0\.0\.1:4200$/);
    expect(framed['X-Frame-Options']).toBeUndefined();
  });
});
