/**
 * When the page was served by the browser host (`npm run start:web`), its API is a WebSocket
 * bridge to that host. The host says where, in a `<meta name="fieldsync-host">` tag it writes
 * into index.html: no inline script, the CSP forbids them. In Electron the preload's
 * `window.fieldsync` is there instead, and this does nothing.
 */
import { HOST_META_NAME, WS_API_PATH } from '../../../shared/ws-protocol.ts';
import type { AppApi } from '../../../shared/app-api.ts';
import { setApiFactory } from './get-api.ts';
import { localSessionStore, type SessionStore } from './host-handshake.ts';
import { createWsApi, type WsBridgeOptions } from './ws-bridge.ts';

/**
 * The WebSocket URL of this page's host, or null when the page has none. Only a `ws:` URL on
 * the page's own host and port, at the API path, is taken: a page reaches only its own instance.
 */
export function hostApiUrl(doc: Document): string | null {
  const content = doc.querySelector(`meta[name="${HOST_META_NAME}"]`)?.getAttribute('content');
  if (!content) return null;
  let url: URL;
  try {
    url = new URL(content);
  } catch {
    return null;
  }
  const page = doc.location;
  if (url.protocol !== 'ws:' || !page || url.host !== page.host || url.pathname !== WS_API_PATH) return null;
  return url.href;
}

/**
 * The sign-in code of a page opened with the host's one-time link (`/login?code=…`), taken
 * out of the address bar at once (history, bookmarks, a shared screen); null otherwise.
 */
export function takeSignInCode(win: Window): string | null {
  const location = win.location;
  if (location.pathname !== '/login') return null;
  const code = new URLSearchParams(location.search).get('code');
  win.history.replaceState(null, '', '/');
  return code;
}

/** Registers the WebSocket API when the page was served by the browser host. Returns whether it did. */
export function installBrowserHostApi(win: Window = window, options: Omit<WsBridgeOptions, 'url' | 'auth'> & { readonly store?: SessionStore } = {}): boolean {
  if (win.fieldsync) return false;
  const url = hostApiUrl(win.document);
  if (!url) return false;
  const { store, ...bridge } = options;
  let storage: Storage | null = null;
  try {
    storage = win.localStorage;
  } catch {
    // storage blocked: the session lasts as long as the page
  }
  const auth = { code: takeSignInCode(win), store: store ?? localSessionStore(storage) };
  let api: AppApi | null = null;
  setApiFactory(() => (api ??= createWsApi({ ...bridge, url, auth })));
  return true;
}
