/**
 * The client's side of compression (src/sync/http-remote.ts, request-compression.ts) against
 * the real server over real HTTP: it gzips request bodies only after the server advertised
 * it, reads gzip answers, stays plain with a server that predates compression (no
 * advertisement), falls back to plain when a server stops taking gzip, and stays plain where
 * the runtime has no CompressionStream.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpRemote, gzipRequests } from 'fieldsync';

type FetchFn = (url: string, init?: RequestInit) => Promise<Response>;
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.stop());

interface Seen {
  readonly contentEncoding: string | undefined;
  readonly gzipMagic: boolean;
  readonly status: number;
  readonly answerEncoding: string | null;
}

/** The global fetch, recording what each request sent and how it was answered. */
function recordingFetch(): { fetch: FetchFn; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetchFn: FetchFn = async (url, init) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const body = init?.body;
    const res = await fetch(url, init);
    seen.push({
      contentEncoding: headers['Content-Encoding'],
      gzipMagic: body instanceof Uint8Array && body[0] === 0x1f && body[1] === 0x8b,
      status: res.status,
      answerEncoding: res.headers.get('content-encoding'),
    });
    return res;
  };
  return { fetch: fetchFn, seen };
}

const push = (clientId: string, n: number, tag: string) => ({
  clientId, cursor: 0, limit: 1, messages: Array.from({ length: n }, (_, i) => msg(clientId, `${tag}-${i}`, `a title long enough to matter, number ${i}`)),
});

/**
 * A server from before compression, in front of the real one: its answers carry no
 * Accept-Encoding, and it reads a gzip body as the JSON it is not (400), as main's did.
 * `old` can be switched at any time (a server replaced by an older version).
 */
async function olderServer(target: string): Promise<{ url: string; state: { old: boolean; compressedSeen: number; refusal: 400 | 415 }; close(): Promise<void> }> {
  // `refusal` 415: a server that knows Content-Encoding and says it takes none (RFC 9110 §15.5.16).
  const state: { old: boolean; compressedSeen: number; refusal: 400 | 415 } = { old: true, compressedSeen: 0, refusal: 400 };
  const server: Server = createServer((req, res) => {
    if (state.old && req.headers['content-encoding'] !== undefined) {
      state.compressedSeen++;
      req.resume();
      if (state.refusal === 415) res.writeHead(415, { 'content-type': 'application/json' }).end('{"error":{"code":"invalid_request","message":"gzip is not taken"}}');
      else res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"code":"invalid_request","message":"the body is not valid JSON"}}');
      return;
    }
    const headers = { ...req.headers };
    if (state.old) delete headers['accept-encoding'];
    const upstream = request(`${target}${req.url ?? '/'}`, { method: req.method, headers }, (up) => {
      const out = { ...up.headers };
      if (state.old) delete out['accept-encoding'];
      res.writeHead(up.statusCode ?? 502, out);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('createHttpRemote and compression', () => {
  it('gzips large bodies once the server advertised it, and reads gzip answers', async () => {
    const { fetch, seen } = recordingFetch();
    const remote = createHttpRemote({ url: t.url, token: await t.token('c1'), fetch, compress: gzipRequests });
    // The first request knows nothing of the server yet: plain, even when large.
    await remote.sync(push('laptop', 100, 'first'));
    await remote.sync(push('laptop', 100, 'second'));
    await remote.sync({ clientId: 'phone', cursor: 0 }); // small: plain
    const page = await remote.sync({ clientId: 'tablet', cursor: 0, limit: 1000 });
    expect(seen.map((s) => s.contentEncoding)).toEqual([undefined, 'gzip', undefined, undefined]);
    expect(seen[1]?.gzipMagic).toBe(true);
    expect(seen.map((s) => s.status)).toEqual([200, 200, 200, 200]);
    // fetch asked for a compressed answer and decompressed it.
    expect(seen[3]?.answerEncoding).toBe('gzip');
    expect(page.messages).toHaveLength(200);
    expect(new Set(page.messages.map((m) => m.row)).size).toBe(200);
    expect((await t.pullAll('c1')).length).toBe(200);
  });

  it('stays plain with a server that does not advertise compression', async () => {
    const old = await olderServer(t.url);
    try {
      const { fetch, seen } = recordingFetch();
      const remote = createHttpRemote({ url: old.url, token: await t.token('c2'), fetch, compress: gzipRequests });
      for (let i = 0; i < 3; i++) await remote.sync(push('laptop', 100, `old-${i}`));
      expect(seen.map((s) => s.contentEncoding)).toEqual([undefined, undefined, undefined]);
      expect(seen.map((s) => s.status)).toEqual([200, 200, 200]);
      expect(old.state.compressedSeen).toBe(0);
      expect((await t.pullAll('c2')).length).toBe(300);
    } finally {
      await old.close();
    }
  });

  it('falls back to plain, without losing the request, when the server stops taking gzip', async () => {
    const proxy = await olderServer(t.url);
    proxy.state.old = false;
    try {
      const { fetch, seen } = recordingFetch();
      const remote = createHttpRemote({ url: proxy.url, token: await t.token('c3'), fetch, compress: gzipRequests });
      await remote.sync(push('laptop', 100, 'a'));
      await remote.sync(push('laptop', 100, 'b'));
      proxy.state.old = true; // replaced by an older server
      await remote.sync(push('laptop', 100, 'c'));
      await remote.sync(push('laptop', 100, 'd'));
      expect(seen.map((s) => `${s.contentEncoding ?? 'plain'} ${s.status}`)).toEqual([
        'plain 200', 'gzip 200', 'gzip 400', 'plain 200', 'plain 200',
      ]);
      expect(proxy.state.compressedSeen).toBe(1);
      expect((await t.pullAll('c3')).length).toBe(400);
    } finally {
      await proxy.close();
    }
  });

  it('falls back to plain on 415 too, and gzips again once the server advertises it again', async () => {
    const proxy = await olderServer(t.url);
    proxy.state.old = false;
    proxy.state.refusal = 415;
    try {
      const { fetch, seen } = recordingFetch();
      const remote = createHttpRemote({ url: proxy.url, token: await t.token('c5'), fetch, compress: gzipRequests });
      await remote.sync(push('laptop', 100, 'a'));
      proxy.state.old = true;
      await remote.sync(push('laptop', 100, 'b'));
      await remote.sync(push('laptop', 100, 'c'));
      proxy.state.old = false;
      await remote.sync(push('laptop', 100, 'd'));
      await remote.sync(push('laptop', 100, 'e'));
      expect(seen.map((s) => `${s.contentEncoding ?? 'plain'} ${s.status}`)).toEqual([
        'plain 200', 'gzip 415', 'plain 200', 'plain 200', 'plain 200', 'gzip 200',
      ]);
      expect((await t.pullAll('c5')).length).toBe(500);
    } finally {
      await proxy.close();
    }
  });

  it('stays plain where the runtime has no CompressionStream, or without the compress option', async () => {
    const saved = globalThis.CompressionStream;
    const token = await t.token('c4');
    // @ts-expect-error: a runtime without it (React Native)
    delete globalThis.CompressionStream;
    try {
      const { fetch, seen } = recordingFetch();
      const remote = createHttpRemote({ url: t.url, token, fetch, compress: gzipRequests });
      for (let i = 0; i < 3; i++) await remote.sync(push('laptop', 100, `rn-${i}`));
      expect(seen.map((s) => s.contentEncoding)).toEqual([undefined, undefined, undefined]);
    } finally {
      globalThis.CompressionStream = saved;
    }
    const { fetch, seen } = recordingFetch();
    const remote = createHttpRemote({ url: t.url, token, fetch });
    for (let i = 0; i < 3; i++) await remote.sync(push('laptop', 100, `off-${i}`));
    expect(seen.map((s) => s.contentEncoding)).toEqual([undefined, undefined, undefined]);
    expect((await t.pullAll('c4')).length).toBe(600);
    expect(() => createHttpRemote({ url: t.url, token, compress: true as never })).toThrow(/compress must be a function/);
  });
});
