/**
 * What a client makes of a server it reaches through something that is not the server: a proxy
 * that redirects to another origin (http to https, 301 as certbot writes it, or 308), one that
 * redirects within the origin, and a web app's own fallback page answering every path (the
 * audit of a deployment behind nginx, findings 2 and 6). Real HTTP on loopback, the real server
 * behind the redirects, with the global fetch and with `nodeFetch()`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpRemote, createMemoryStore, createSyncClient, defineSchema, pokeStream, type FieldsyncError, type HttpRemoteOptions } from 'fieldsync';
import { nodeFetch } from 'fieldsync/node';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

type Answer = { status: number; headers: Record<string, string>; body: string };

/** A loopback HTTP server that answers every request with `answer`. */
async function serve(answer: (method: string, path: string) => Answer): Promise<Server & { url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const a = answer(req.method ?? 'GET', req.url ?? '/');
      res.writeHead(a.status, a.headers).end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(server, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

type FetchFn = NonNullable<HttpRemoteOptions['fetch']>;
const fetches: [string, FetchFn][] = [['the global fetch', (url, init) => fetch(url, init)], ['nodeFetch()', nodeFetch()]];
const schema = defineSchema({ version: 1, tables: { todos: { title: 'string' } } });
const redirectedTo = (to: string, status: number): string =>
  `the server redirected the request to ${to} (HTTP ${status} there): give createHttpRemote that URL (a redirect to another origin drops the token, and a 301 turns the POST into a GET)`;

describe.each(fetches)('through %s', (_name, fetchFn) => {
  let t: TestServer;
  /** The real server under another origin than the redirectors' (`localhost`, not `127.0.0.1`). */
  let elsewhere: string;
  const servers: Server[] = [];
  let r301: string;
  let r308: string;
  let within: string;
  let app: string;
  let token: string;
  beforeAll(async () => {
    t = await startTestServer();
    elsewhere = `http://localhost:${t.server.port}`;
    token = await t.token('redirected');
    const to = (status: number) => serve((_m, path) => ({ status, headers: { Location: `${elsewhere}${path}`, 'Content-Type': 'text/html' }, body: '<html>Moved</html>' }));
    // Within its origin: /old/... moves to /..., where a server answers (a stand-in: an empty pull).
    const moved = await serve((_m, path): Answer => (path.startsWith('/old/')
      ? { status: 308, headers: { Location: path.slice('/old'.length) }, body: '' }
      : { status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ accepted: 0, cursor: 7, more: false, serverTime: new Date().toISOString(), messages: [] }) }));
    // A single-page app's server: index.html for every GET, 405 for anything else.
    const page = await serve((method): Answer => (method === 'GET'
      ? { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: '<!doctype html><div id="root"></div>' }
      : { status: 405, headers: { 'Content-Type': 'text/html' }, body: 'Not Allowed' }));
    const made = [await to(301), await to(308), moved, page];
    servers.push(...made);
    [r301, r308, within, app] = made.map((s) => s.url) as [string, string, string, string];
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    await t?.stop();
  });

  it.each([[301, 405], [308, 401]])('a redirect (%i) to another origin is an invalid_response that names it: not "GET is not allowed", nor "unauthorized"', async (status, there) => {
    const remote = createHttpRemote({ url: status === 301 ? r301 : r308, token, fetch: fetchFn });
    const err = (await remote.sync({ clientId: 'A', cursor: 0, messages: [] }).catch((e: unknown) => e)) as FieldsyncError & { status: number };
    expect(err).toMatchObject({ code: 'invalid_response', status: there, message: redirectedTo(elsewhere, there) });
  });

  it('a redirect within the origin (308) is followed, as fetch does', async () => {
    const remote = createHttpRemote({ url: `${within}/old`, token, fetch: fetchFn });
    expect((await remote.sync({ clientId: 'A', cursor: 0, messages: [] })).cursor).toBe(7);
  });

  it('a client behind a redirect to another origin shows the error, and keeps its writes', async () => {
    const client = await createSyncClient({ schema, store: createMemoryStore(), remote: createHttpRemote({ url: r308, token, fetch: fetchFn }), autoSync: false });
    await client.set('todos', 't', 'title', 'x');
    await expect(client.sync()).rejects.toMatchObject({ code: 'invalid_response' });
    expect(client.status).toMatchObject({ state: 'error', pending: 1, error: { code: 'invalid_response' } });
    expect(await t.pullAll('redirected')).toEqual([]);
    await client.close();
  });

  it.each([['a redirect to another origin', 'redirect'], ['a web page (an app\'s fallback for every path)', 'page']])('the poke stream reports %s as an error, never as connected', async (_what, kind) => {
    const url = kind === 'redirect' ? r301 : app;
    const remote = createHttpRemote({ url, token, fetch: fetchFn, pokes: pokeStream({ reconnect: { initialMs: 5000, maxMs: 5000 } }) });
    const errors: FieldsyncError[] = [];
    let opens = 0;
    const stop = remote.subscribe?.('A', { onPoke: () => {}, onOpen: () => opens++, onError: (e) => errors.push(e) });
    await expect.poll(() => errors.length, { timeout: 5000 }).toBe(1);
    stop?.();
    expect(opens).toBe(0);
    expect(errors[0]?.code).toBe('invalid_response');
    expect(errors[0]?.message).toBe(kind === 'redirect'
      ? redirectedTo(elsewhere, 401)
      : `${app}/v1/events answered text/html, not an event stream: is the remote's URL the server's?`);
  });
});
