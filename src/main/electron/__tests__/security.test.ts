import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../csp.ts';
import { isRendererUrl, isTrustedSender, rendererLocation } from '../renderer-location.ts';
import { applySecurity, applySessionSecurity, type PreventableEvent, type SessionLike, type WebContentsLike } from '../security.ts';
import { windowOptions } from '../window-options.ts';

function fakeContents() {
  const listeners = new Map<string, (event: PreventableEvent, url?: string) => void>();
  let openHandler: ((d: { url: string }) => { action: string }) | null = null;
  const contents: WebContentsLike = {
    on: ((event: string, listener: (event: PreventableEvent, url?: string) => void) => listeners.set(event, listener)) as WebContentsLike['on'],
    setWindowOpenHandler: (h) => void (openHandler = h),
  };
  const fire = (event: string, url?: string): boolean => {
    let prevented = false;
    listeners.get(event)?.({ preventDefault: () => void (prevented = true) }, url);
    return prevented;
  };
  return { contents, fire, open: (url: string) => openHandler?.({ url }) };
}

describe('web contents security', () => {
  it('denies navigation, redirects, window.open and webviews, and says so', () => {
    const f = fakeContents();
    const log: string[] = [];
    applySecurity(f.contents, (m) => log.push(m));
    expect(f.fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(f.fire('will-redirect', 'https://evil.example/')).toBe(true);
    expect(f.fire('will-attach-webview')).toBe(true);
    expect(f.open('https://evil.example/popup')).toEqual({ action: 'deny' });
    expect(log).toEqual([
      'denied navigation to https://evil.example/',
      'denied redirect to https://evil.example/',
      'denied a webview',
      'denied window.open of https://evil.example/popup',
    ]);
  });

  it('denies every permission request and check, and sets the CSP header on every response', () => {
    let request: Parameters<SessionLike['setPermissionRequestHandler']>[0] | null = null;
    let check: Parameters<SessionLike['setPermissionCheckHandler']>[0] | null = null;
    let headers: Parameters<SessionLike['webRequest']['onHeadersReceived']>[0] | null = null;
    const session: SessionLike = {
      setPermissionRequestHandler: (h) => void (request = h),
      setPermissionCheckHandler: (h) => void (check = h),
      webRequest: { onHeadersReceived: (l) => void (headers = l) },
    };
    applySessionSecurity(session, "default-src 'none'");
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      let granted: boolean | null = null;
      request!({}, permission, (g) => void (granted = g));
      expect(granted).toBe(false);
      expect(check!({}, permission)).toBe(false);
    }
    let response: { responseHeaders?: Record<string, string[] | string> } | null = null;
    headers!({ url: 'http://localhost:5173/', responseHeaders: { 'content-security-policy': ['*'], 'Content-Type': ['text/html'] } }, (r) => void (response = r));
    expect(response).toEqual({ responseHeaders: { 'Content-Type': ['text/html'], 'Content-Security-Policy': ["default-src 'none'"] } });
  });

  it('leaves the CSP to the headers: the page has no meta policy (one made for the browser host would allow ws://)', () => {
    const html = readFileSync(join(import.meta.dirname, '..', '..', '..', 'renderer', 'index.html'), 'utf8');
    expect(html).not.toMatch(/http-equiv=["']?content-security-policy/i);
    expect(html).not.toContain('ws://');
  });

  it('has a CSP that allows exactly what the page uses: no connections at all, no ws://', () => {
    expect(contentSecurityPolicy()).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'none'; " +
      "object-src 'none'; frame-src 'none'; worker-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    const dev = contentSecurityPolicy('http://localhost:5173/');
    expect(dev).toContain('connect-src http://localhost:5173 ws://localhost:5173;');
    expect(dev).toContain("script-src 'self' 'unsafe-inline'");
  });

  it('creates windows with isolation, sandbox and no Node', () => {
    const o = windowOptions({ appName: 'Fieldsync', profile: 'demo-1', preload: '/app/out/preload/index.cjs', bounds: { x: 0, y: 0, width: 640, height: 800 } });
    expect(o.title).toBe('Fieldsync — demo-1');
    expect(o.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false, webSecurity: true, preload: '/app/out/preload/index.cjs' });
    expect(o).toMatchObject({ x: 0, y: 0, width: 640, height: 800 });
  });
});

describe('renderer location and trusted senders', () => {
  const app = rendererLocation(undefined, true);
  const dev = rendererLocation('http://localhost:5173/', false);

  it('loads app://fieldsync/index.html; the dev server only in development, and only on this machine', () => {
    expect(app).toEqual({ kind: 'app', url: 'app://fieldsync/index.html' });
    expect(dev).toMatchObject({ kind: 'dev', origin: 'http://localhost:5173' });
    expect(rendererLocation('http://localhost:5173/', true).kind).toBe('app');
    expect(rendererLocation('http://evil.example/', false).kind).toBe('app');
  });

  it('trusts our page in the main frame only', () => {
    expect(isTrustedSender('app://fieldsync/index.html', true, app)).toBe(true);
    expect(isTrustedSender('app://fieldsync/index.html#/list/1', true, app)).toBe(true);
    expect(isTrustedSender('app://fieldsync/index.html', false, app)).toBe(false);
    expect(isTrustedSender('file:///opt/Fieldsync/resources/app.asar/out/renderer/index.html', true, app)).toBe(false);
    expect(isTrustedSender('app://other/index.html', true, app)).toBe(false);
    expect(isTrustedSender('app://fieldsync/other.html', true, app)).toBe(false);
    expect(isTrustedSender('file:///tmp/evil.html', true, app)).toBe(false);
    expect(isTrustedSender('https://evil.example/', true, app)).toBe(false);
    expect(isTrustedSender(null, true, app)).toBe(false);
    expect(isTrustedSender('http://localhost:5173/', true, dev)).toBe(true);
    expect(isTrustedSender('http://localhost:5174/', true, dev)).toBe(false);
    expect(isRendererUrl('not a url', dev)).toBe(false);
  });
});
