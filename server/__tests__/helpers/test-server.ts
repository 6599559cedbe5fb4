/** A real server on a free port over real HTTP, with a temporary data dir, for the tests. */
import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import type { JsonValue, Message } from 'fieldsync';
import { formatHlc, type ServerMessage, type ServerStore } from 'fieldsync/server';
import { loadConfig, type ServerConfig } from '../../config.ts';
import { startServer, type RunningServer } from '../../server.ts';
import { tempDir } from './temp-dir.ts';

export const SECRET = 'test-secret-that-is-long-enough-0123456789';

/** How long `sync` waits for a whole answer: well under a case's 30 s, well over a busy machine's slowest. */
const SYNC_ANSWER_MS = 15_000;

export interface TestServer {
  readonly url: string;
  readonly server: RunningServer;
  readonly dataDir: string;
  /** Every log line, parsed. */
  readonly logs: Record<string, unknown>[];
  readonly logText: () => string;
  token(user: string): Promise<string>;
  /** POST /v1/sync with a token for `user` (or exactly the given headers). */
  sync(user: string, body: unknown): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;
  /** Every message of `user` as an observer client sees it, paging with `limit`. */
  pullAll(user: string, limit?: number): Promise<ServerMessage[]>;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  readonly env?: Record<string, string>;
  readonly store?: ServerStore;
  readonly dataDir?: string;
  readonly now?: () => number;
  readonly answerMinBytesPerSecond?: number;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dir = options.dataDir === undefined ? tempDir() : null;
  const dataDir = options.dataDir ?? (dir as { path: string }).path;
  const config = loadConfig([], {
    PORT: '0',
    FIELDSYNC_DATA_DIR: dataDir,
    FIELDSYNC_SECRET: SECRET,
    FIELDSYNC_HEARTBEAT: '200ms',
    FIELDSYNC_SHUTDOWN_TIMEOUT: '2s',
    ...options.env,
  }) as ServerConfig;
  const logs: Record<string, unknown>[] = [];
  const lines: string[] = [];
  const server = await startServer(config, {
    log: { level: 'info', stream: { write: (line) => { lines.push(line); logs.push(JSON.parse(line) as Record<string, unknown>); } } },
    ...(options.store ? { store: options.store } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.answerMinBytesPerSecond !== undefined ? { answerMinBytesPerSecond: options.answerMinBytesPerSecond } : {}),
  });
  const url = server.url;
  const t: TestServer = {
    url,
    server,
    dataDir,
    logs,
    logText: () => lines.join(''),
    token: (user) => signToken({ sub: user }),
    async sync(user, body) {
      // Bounded (round 57): with the route planted never to answer, each case of
      // sync-http.test.ts waited for its 30 s timeout, and said only that it had timed out.
      const signal = AbortSignal.timeout(SYNC_ANSWER_MS);
      try {
        const res = await fetch(`${url}/v1/sync`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${await t.token(user)}` },
          body: JSON.stringify(body),
          signal,
        });
        return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
      } catch (err) {
        if (signal.aborted) throw new Error(`POST /v1/sync for ${user}: no whole answer within ${SYNC_ANSWER_MS / 1000} s`, { cause: err });
        throw err;
      }
    },
    async pullAll(user, limit = 5000) {
      const out: ServerMessage[] = [];
      let cursor = 0;
      for (;;) {
        const r = await t.sync(user, { clientId: 'observer', cursor, limit });
        if (r.status !== 200) throw new Error(`pull failed: ${r.status} ${JSON.stringify(r.body)}`);
        out.push(...(r.body.messages as ServerMessage[]));
        cursor = r.body.cursor as number;
        if (!r.body.more) return out;
      }
    },
    async stop() {
      await server.close();
      dir?.remove();
    },
  };
  return t;
}

/** A token with any claims, signed with `secret` (default: the test server's). */
export async function signToken(
  claims: Record<string, unknown>,
  options: { secret?: string; expiresIn?: number | null; alg?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? 'HS256' }).setIssuedAt(now);
  if (options.expiresIn !== null) jwt.setExpirationTime(now + (options.expiresIn ?? 3600));
  return jwt.sign(new TextEncoder().encode(options.secret ?? SECRET));
}

/**
 * A token over exactly these payload bytes (JSON that `SignJWT` would never write, such as
 * `1e309`, or bytes that are not UTF-8), signed with `secret` under `alg`'s HMAC.
 */
export function signRaw(payload: string | Buffer, options: { secret?: string; alg?: 'HS256' | 'HS384' | 'HS512' } = {}): string {
  const alg = options.alg ?? 'HS256';
  const b64 = (bytes: string | Buffer): string => Buffer.from(bytes).toString('base64url');
  const input = `${b64(JSON.stringify({ alg, typ: 'JWT' }))}.${b64(payload)}`;
  return `${input}.${createHmac(`sha${alg.slice(2)}`, options.secret ?? SECRET).update(input).digest('base64url')}`;
}

/** An unsigned `alg: none` token. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}

let counter = 0;
/** A message of `clientId` stamped near now (ms offsets keep the order of `n`). */
export function msg(clientId: string, row: string, value: JsonValue, n = counter++, column = 'title'): Message {
  return { hlc: formatHlc({ millis: Date.now() - 60_000 + n, counter: 0, clientId }), table: 'notes', row, column, value };
}

/**
 * Polls a small sync of `user` every 250 ms, for up to 10 s, while it is refused 429: how a
 * test sees the user's place come back once a held answer goes. Its last status (round 68: no
 * longer how long that took, which a test asserted as a timed bound).
 */
export async function untilPlaceBack(t: TestServer, user: string): Promise<{ status: number }> {
  const started = performance.now();
  let status = 429;
  while (status === 429 && performance.now() - started < 10_000) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    status = (await t.sync(user, { clientId: 'B', cursor: 0, limit: 1 })).status;
  }
  return { status };
}
