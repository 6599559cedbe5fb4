/**
 * Where our renderer comes from, and whether a URL is it. The app loads exactly one page:
 * `app://fieldsync/index.html` (out/renderer, served by app-protocol.ts), or in development
 * the electron-vite dev server's URL. Anything else (a page navigated to, a frame, a file
 * on disk) is not our app.
 */
import { APP_INDEX_URL } from './app-protocol.ts';

export type RendererLocation =
  | { readonly kind: 'app'; readonly url: string }
  | { readonly kind: 'dev'; readonly url: string; readonly origin: string };

/** The dev server only in development (never in a packaged app, where the env var could be planted). */
export function rendererLocation(devServerUrl: string | undefined, isPackaged: boolean): RendererLocation {
  if (devServerUrl && !isPackaged) {
    const url = new URL(devServerUrl);
    if (url.protocol === 'http:' && (url.hostname === 'localhost' || url.hostname === '127.0.0.1')) {
      return { kind: 'dev', url: url.href, origin: url.origin };
    }
  }
  return { kind: 'app', url: APP_INDEX_URL };
}

/** True when `url` is our renderer's page (its query and fragment aside). */
export function isRendererUrl(url: string, location: RendererLocation): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (location.kind === 'dev') return parsed.origin === location.origin;
  const expected = new URL(location.url);
  return parsed.protocol === expected.protocol && parsed.host === expected.host && parsed.pathname === expected.pathname;
}

/**
 * An IPC sender is trusted when it is the main frame (not an iframe, which could be anyone's
 * page) of our own window, showing our renderer's page. This stops a page that got into a
 * frame or a navigated window from driving the app's data.
 */
export function isTrustedSender(frameUrl: string | null | undefined, isMainFrame: boolean, location: RendererLocation): boolean {
  return isMainFrame && typeof frameUrl === 'string' && isRendererUrl(frameUrl, location);
}
