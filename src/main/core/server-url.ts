/**
 * What is said about the sync server's address outside the process that holds the token.
 *
 * - `shownServerUrl`: the address as the page may see it (AppInfo): its origin and path,
 *   never the `user:password@` a URL can carry, its query or its fragment.
 * - `cleartextTokenWarning`: the token is a bearer credential, valid for weeks; over `http:`
 *   to another machine anyone on the way can read it and sync as this user. Loopback (this
 *   machine: the demos, a local server, an SSH tunnel) is fine. The launchers print it, and
 *   the sync panel shows it.
 */

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
