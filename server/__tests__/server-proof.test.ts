/**
 * A launcher sends the demo's token only to a server that proves it holds the secret the token
 * is signed with (server-proof.ts, docs/protocol.md `GET /healthz`): over real HTTP on loopback,
 * the reference server against a program that merely answers `{"ok":true}`.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '../../test-support/temp-dir.ts';
import { demoToken, serverProves } from '../../scripts/lib/server-health.ts';
import { createAuthenticator, loadConfig, serverProof, startServer, type RunningServer, type ServerConfig } from '../index.ts';

const SECRET = 'server-proof-tests-secret-long-enough-0123456789';
const OTHER = 'another-secret-of-another-server-0123456789abcdef';
const CHALLENGE = 'Zm9vYmFyLWNoYWxsZW5nZS0xMjM0NTY3ODkw';

let dir: TempDir;
let server: RunningServer;
/** A program on a loopback port that says it is healthy, and records the headers it is sent. */
let impostor: Server;
let impostorUrl: string;
const seen: Record<string, string | undefined>[] = [];

beforeAll(async () => {
  dir = tempDir('fieldsync-proof-');
  server = await startServer(loadConfig([], { PORT: '0', FIELDSYNC_DATA_DIR: dir.path, FIELDSYNC_SECRET: SECRET }) as ServerConfig, { log: false });
  impostor = createServer((req, res) => {
    seen.push({ url: req.url, authorization: req.headers.authorization });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, proof: 'made-up' }));
  });
  await new Promise<void>((r) => impostor.listen(0, '127.0.0.1', () => r()));
  impostorUrl = `http://127.0.0.1:${(impostor.address() as { port: number }).port}`;
});
afterAll(async () => {
  impostor.close();
  await server.close();
  dir.remove();
});

const healthz = async (query: string): Promise<{ status: number; body: Record<string, unknown> }> => {
  const res = await fetch(`${server.url}/healthz${query}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('GET /healthz?challenge=', () => {
  it('answers the proof that only the holder of the secret can make, for each challenge its own', async () => {
    const { status, body } = await healthz(`?challenge=${CHALLENGE}`);
    expect(status).toBe(200);
    expect(body).toEqual({ ok: true, proof: serverProof(SECRET, CHALLENGE) });
    expect(body.proof).not.toBe(serverProof(OTHER, CHALLENGE));
    expect((await healthz(`?challenge=${CHALLENGE}x`)).body.proof).toBe(serverProof(SECRET, `${CHALLENGE}x`));
    expect(await healthz('')).toEqual({ status: 200, body: { ok: true } });
  });

  it('never signs what a caller sends with the key tokens are signed with', async () => {
    const { body } = await healthz(`?challenge=${CHALLENGE}`);
    expect(body.proof).not.toBe(createHmac('sha256', SECRET).update(CHALLENGE).digest('base64url'));
  });

  it.each([['too short', 'abc'], ['not URL-safe base64', `${CHALLENGE}.`], ['too long', 'a'.repeat(129)], ['empty', ''], ['given twice', `${CHALLENGE}&challenge=${CHALLENGE}`]])(
    'refuses a challenge that is %s with invalid_request',
    async (_why, challenge) => {
      const { status, body } = await healthz(`?challenge=${challenge}`);
      expect(status).toBe(400);
      expect((body.error as { code: string }).code).toBe('invalid_request');
    },
  );
});

describe('the launchers', () => {
  it('believe a server holds their secret only when it proves it', async () => {
    expect(await serverProves(server.url, SECRET)).toBe(true);
    expect(await serverProves(server.url, OTHER)).toBe(false);
    expect(await serverProves(impostorUrl, SECRET)).toBe(false);
    expect(await serverProves('http://127.0.0.1:1', SECRET)).toBe(false);
  });

  it('sign the demo a token of a day for a server that proves it, and send nothing to one that does not', async () => {
    const token = await demoToken(server.url, SECRET, 'demo');
    expect(token).not.toBeNull();
    const identity = await createAuthenticator(SECRET).authenticate(`Bearer ${token}`);
    expect(identity.userId).toBe('demo');
    expect(identity.expiresAtMs - Date.now()).toBeGreaterThan(86_000_000);
    expect(identity.expiresAtMs - Date.now()).toBeLessThan(86_500_000);
    seen.length = 0;
    expect(await demoToken(impostorUrl, SECRET, 'demo')).toBeNull();
    expect(seen.map((s) => s.url?.replace(/=.*/, '='))).toEqual(['/healthz?challenge=']);
    expect(seen.every((s) => s.authorization === undefined)).toBe(true);
  });
});
