/** When `npm run start:web` opens a browser, and how it keeps the one-time link out of command lines. */
import { describe, expect, it } from 'vitest';
import { productNameInHtml } from '../../test-support/app-name.ts';
import { openerFor, redirectPage, shouldOpenBrowser } from '../lib/open-browser.ts';

describe('opening the one-screen view', () => {
  it('opens where a display exists, never under CI, a test runner or --no-open', () => {
    const at = (platform: NodeJS.Platform, env: Record<string, string> = {}, open = true) => shouldOpenBrowser({ open, platform, env });
    expect(at('darwin')).toBe(true);
    expect(at('win32')).toBe(true);
    expect(at('linux')).toBe(false);
    expect(at('linux', { DISPLAY: ':0' })).toBe(true);
    expect(at('linux', { WAYLAND_DISPLAY: 'wayland-0' })).toBe(true);
    expect(at('darwin', {}, false)).toBe(false);
    expect(at('darwin', { CI: 'true' })).toBe(false);
    expect(at('linux', { DISPLAY: ':0', VITEST: 'true' })).toBe(false);
    expect(at('win32', { FIELDSYNC_NO_OPEN: '1' })).toBe(false);
  });

  it('gives the opener a file, never the link', () => {
    expect(openerFor('darwin', '/tmp/x/open-fieldsync.html')).toEqual({ command: 'open', args: ['/tmp/x/open-fieldsync.html'] });
    expect(openerFor('win32', 'C:\\t\\open-fieldsync.html')).toEqual({ command: 'explorer.exe', args: ['C:\\t\\open-fieldsync.html'] });
    expect(openerFor('linux', 'file:///tmp/x/open-fieldsync.html').command).toBe('xdg-open');
    const page = redirectPage('http://127.0.0.1:4000/login?code=a&b="<');
    expect(page).toContain('content="0;url=http://127.0.0.1:4000/login?code=a&amp;b=&quot;&lt;"');
    expect(page).not.toContain('<script');
    // Named after the app (productName), not after the reference app: a fork's own name.
    expect(page).toContain(`<title>Opening ${productNameInHtml}…</title>`);
    expect(page).toContain(`>Open ${productNameInHtml}</a>`);
  });
});
