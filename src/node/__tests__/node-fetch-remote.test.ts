/**
 * `nodeFetch` as the HTTP remote's fetch, against the real reference server on loopback:
 * pages come gzipped and are decoded, large pushes go gzipped once the server says it takes
 * them, pokes stream in over a kept-open answer, and every failure reaches the client as the
 * remote's typed error (RemoteError for an answer, NetworkError for no answer).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NetworkError, RemoteError, createHttpRemote, createMemoryStore, createSyncClient, defineSchema, gzipRequests, pokeStream, type SyncClient } from 'fieldsync';
import { nodeFetch, type NodeFetch } from 'fieldsync/node';
import { freePort } from '../../../test-support/free-port.ts';
import { useRealServer } from '../../../test-support/real-server.ts';

const server = useRealServer();
const schema = defineSchema({ version: 1, tables: { notes: { title: 'string', body: 'string' } } });
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

function fetcher(): NodeFetch {
  const f = nodeFetch();
  open.push(f);
  return f;
}

async function client(remote: ReturnType<typeof createHttpRemote>, autoSync = false): Promise<SyncClient> {
  const c = await createSyncClient({ schema, store: createMemoryStore(), remote, autoSync, intervalMs: 600_000 });
  open.push(c);
  return c;
}

async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the HTTP remote over nodeFetch, with the real server', () => {
  it('pushes gzipped once the server takes it, pulls gzipped pages, and gets pokes as they happen', async () => {
    const token = await server.token('node-fetch');
    const seen: string[] = [];
    const base = fetcher();
    // What went over the wire: each sync request's and answer's Content-Encoding.
    const watched: typeof base = Object.assign(async (url: string | URL, init?: RequestInit) => {
      const res = await base(url, init);
      if (String(url).endsWith('/v1/sync')) seen.push(`${new Headers(init?.headers).get('content-encoding') ?? 'plain'} -> ${res.status} ${res.headers.get('content-encoding') ?? 'plain'}`);
      return res;
    }, { close: base.close });
    const writer = await client(createHttpRemote({ url: server.url, token, fetch: watched, compress: gzipRequests }));
    const reader = await client(createHttpRemote({ url: server.url, token, fetch: fetcher(), pokes: pokeStream() }), true);
    await until(() => reader.status.lastSyncAt !== null);

    const note = (i: number): Record<string, string> => ({ title: `note ${i}`, body: 'x'.repeat(40) });
    for (let i = 0; i < 50; i++) await writer.update('notes', `n${i}`, note(i));
    await writer.sync(); // the server's answer says it takes gzip
    for (let i = 50; i < 100; i++) await writer.update('notes', `n${i}`, note(i));
    await writer.sync(); // so these go gzipped
    expect(writer.status.pending).toBe(0);
    expect(seen).toContain('gzip -> 200 plain');

    // The reader syncs on the server's poke (its interval is 10 minutes away).
    await until(() => reader.status.cursor >= 200);
    expect((await reader.history('notes', 'n99', 'title')).map((m) => m.value)).toEqual(['note 99']);

    // A fresh device pulls it all in one page, gzipped.
    seen.length = 0;
    const fresh = await client(createHttpRemote({ url: server.url, token, fetch: watched }));
    await fresh.sync();
    expect(fresh.status.cursor).toBe(writer.status.cursor);
    expect(seen).toEqual(['plain -> 200 gzip']);
  });

  it('turns an error answer into a RemoteError with its status and code', async () => {
    const remote = createHttpRemote({ url: server.url, token: 'not-a-token', fetch: fetcher() });
    const err = (await remote.sync({ clientId: 'c', cursor: 0 }).catch((e: unknown) => e)) as RemoteError;
    expect(err).toBeInstanceOf(RemoteError);
    expect([err.status, err.code]).toEqual([401, 'unauthorized']);
  });

  it('turns no answer into a NetworkError: nothing listening, or the remote\'s timeout', async () => {
    const refused = createHttpRemote({ url: `http://127.0.0.1:${await freePort()}`, token: 't', fetch: fetcher() });
    const down = (await refused.sync({ clientId: 'c', cursor: 0 }).catch((e: unknown) => e)) as NetworkError;
    expect(down).toBeInstanceOf(NetworkError);
    expect(down.message).toMatch(/could not be reached/);

    const silent: Server = createServer(() => {}); // takes the request, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    open.push({ close: () => new Promise((r) => (silent.closeAllConnections(), silent.close(r))) });
    const slow = createHttpRemote({ url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, token: 't', fetch: fetcher(), timeoutMs: 100 });
    // A bound on the wait only, a hundred times the 100 ms asked for and a third of the default
    // 30 s: a remote that ignored timeoutMs is 'still waiting' (round 67: was `< 5000 ms`).
    const waited = new Promise((resolve) => setTimeout(resolve, 10_000, 'still waiting'));
    const late = (await Promise.race([slow.sync({ clientId: 'c', cursor: 0 }).catch((e: unknown) => e), waited])) as NetworkError;
    expect(late).toBeInstanceOf(NetworkError);
    expect(late.message).toMatch(/aborted or timed out/);
  });
});
