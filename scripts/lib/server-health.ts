/**
 * What the launchers (`npm start`, `npm run start:web`) ask of the sync server before they use
 * it: does a Fieldsync server answer at the URL, does it prove it holds the secret their token
 * is signed with, and is its port held by something else when none answers.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { createAuthenticator, serverProof } from '../../server/index.ts';

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
 * Does the server at `serverUrl` hold `secret`? Asked before it is sent a token signed with
 * that secret: anything can answer `/healthz` with `{"ok":true}` on a loopback port (another
 * local user's program, waiting for the demo's token), and a server started with another
 * secret (its own FIELDSYNC_SECRET, another data dir) would refuse the token, and every
 * instance would show "Signed out" with no more said. A fresh random challenge, answered
 * with a proof only the secret's holder can make (server/server-proof.ts).
 */
export async function serverProves(serverUrl: string, secret: string, fetchFn: FetchLike = fetch, timeoutMs = 5000): Promise<boolean> {
  const challenge = randomBytes(32).toString('base64url');
  try {
    const response = await fetchFn(`${serverUrl}/healthz?challenge=${challenge}`, { signal: AbortSignal.timeout(timeoutMs) });
    if (response.status !== 200) return false;
    const body = (await response.json()) as { proof?: unknown } | null;
    return typeof body?.proof === 'string' && body.proof === serverProof(secret, challenge);
  } catch {
    return false;
  }
}

/**
 * How long the demo's token lasts. A day, not the token CLI's 30: the launchers run a demo, and
 * should the server it was sent to stop while the instances still run, whoever takes the port
 * next receives it from them (docs/security.md).
 */
export const DEMO_TOKEN_SECONDS = 86_400;

/** The demo's token for `user`, signed with `secret`, or null when the server at `serverUrl` does not prove it holds it. */
export async function demoToken(serverUrl: string, secret: string, user: string, fetchFn: FetchLike = fetch): Promise<string | null> {
  return (await serverProves(serverUrl, secret, fetchFn)) ? createAuthenticator(secret).sign(user, DEMO_TOKEN_SECONDS) : null;
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

/** What a launcher says when the server answering does not prove that it holds the secret. */
export const unprovenMessage = (serverUrl: string, dataDir: string): string =>
  `the server answering at ${serverUrl} does not prove that it holds the secret in ${dataDir} (or FIELDSYNC_SECRET), ` +
  'so the demo\'s token is not sent to it: it runs with another secret, it is a Fieldsync server older than this ' +
  'launcher, or it is another program (perhaps another user\'s). Run this with that server\'s FIELDSYNC_SECRET or FIELDSYNC_DATA_DIR, or stop it so that one is started ' +
  'here, or pass --server with another port'
