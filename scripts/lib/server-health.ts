/**
 * What the launchers (`npm start`, `npm run start:web`) ask of the sync server before they use
 * it: does a Fieldsync server answer at the URL, does it take the token they signed, and is
 * its port held by something else when none does.
 */
import { connect } from 'node:net';

/** Is a Fieldsync server answering at this URL? `GET /healthz` answers 200 with `{"ok":true,...}`. */

export type FetchLike = (
  url: string,
  init?: { signal?: AbortSignal; method?: string; headers?: Record<string, string>; body?: string },
) => Promise<{ status: number; json(): Promise<unknown> }>;

export async function serverIsUp(serverUrl: string, fetchFn: FetchLike = fetch, timeoutMs = 1500): Promise<boolean> {
  try {
    const response = await fetchFn(`${serverUrl}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    if (response.status !== 200) return false;
    const body = (await response.json()) as { ok?: unknown } | null;
    return body !== null && typeof body === 'object' && body.ok === true;
  } catch {
    return false;
  }
}

/** Polls until the server answers, or gives up after `timeoutMs`. */
export async function waitForServer(serverUrl: string, timeoutMs: number, fetchFn: FetchLike = fetch, stillStarting: () => boolean = () => true): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && stillStarting()) {
    if (await serverIsUp(serverUrl, fetchFn)) return true;
    await new Promise((r) => setTimeout(r, 150));
  }
  return false;
}

/**
 * Why the server at `serverUrl` refuses `token`, or null when it takes it: a pull of one
 * message, which stores nothing. A server started with another secret (its own
 * FIELDSYNC_SECRET, or another data dir) refuses a token signed with this machine's
 * `./.data` secret, and every instance would show "Signed out" with no more said.
 */
export async function tokenRefusal(serverUrl: string, token: string, fetchFn: FetchLike = fetch, timeoutMs = 5000): Promise<string | null> {
  const response = await fetchFn(`${serverUrl}/v1/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ clientId: 'launcher-check', cursor: 0, limit: 1 }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.status !== 401) return null;
  const body = (await response.json().catch(() => null)) as { error?: { message?: unknown } } | null;
  const message = body?.error?.message;
  return typeof message === 'string' ? message : 'unauthorized';
}

/** True when something accepts TCP connections at `host:port` (to tell "nothing there" from "another program"). */
export function portAnswers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (answered: boolean): void => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** What a launcher says when another program holds the port it would start the server on. */
export const portTakenMessage = (serverUrl: string): string =>
  `something that is not a Fieldsync server answers at ${serverUrl}: stop it, or pass --server with another port (such as --server http://127.0.0.1:8788)`;

/** What a launcher says when the running server refuses the token it signed. */
export const tokenRefusedMessage = (serverUrl: string, why: string, dataDir: string): string =>
  `the sync server at ${serverUrl} refused the demo's token (${why}). It was signed with the secret in ${dataDir} ` +
  '(or FIELDSYNC_SECRET): run this with that server\'s FIELDSYNC_SECRET or FIELDSYNC_DATA_DIR, or stop that server so that one is started here';
