/**
 * The sync server's address: whether it can be used, and what is said about it outside the
 * process that holds the token.
 *
 * - `serverUrlError`: why an address given at launch (`--server`, FIELDSYNC_SERVER_URL) cannot
 *   be used, checked by every launcher (Electron's, the web host's, `npm start`'s) so that each
 *   says it at once, in one line, rather than the app failing every sync after it opened.
 * - `shownServerUrl`: the address as the page may see it (AppInfo): its origin and path,
 *   never the `user:password@` a URL can carry, its query or its fragment.
 * - `cleartextTokenWarning`: the token is a bearer credential, valid for weeks; over `http:`
 *   to another machine anyone on the way can read it and sync as this user. Loopback (this
 *   machine: the demos, a local server, an SSH tunnel) is fine. The launchers print it, and
 *   the sync panel shows it.
 */

/**
 * Why `text` cannot be the sync server's address, or null. Besides http(s): no user name or
 * password (the app signs in with its token; `fetch` refuses every request to such a URL, so
 * each sync failed as if offline), and no query or fragment (the library's HTTP remote appends
 * `/v1/sync` to the address, which a query would swallow; it refuses them too).
 */
export function serverUrlError(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (url.username !== '' || url.password !== '') return 'must have no user name or password: the app signs in with its token (FIELDSYNC_TOKEN)';
  if (url.search !== '' || url.hash !== '' || /[?#]/.test(text)) return 'must have no query or fragment';
  return null;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

export function shownServerUrl(serverUrl: string | null): string {
  if (serverUrl === null) return '';
  try {
    const url = new URL(serverUrl);
    return `${url.origin}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return ''; // not a URL: the launchers refuse it before it gets here
  }
}

export function cleartextTokenWarning(serverUrl: string | null): string | null {
  if (serverUrl === null) return null;
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' || LOOPBACK.test(url.hostname)) return null;
  return `The sync server ${url.origin} is reached over plain http: its token crosses the network unencrypted, and anyone on the way can read it and use it. Use an https:// address.`;
}
