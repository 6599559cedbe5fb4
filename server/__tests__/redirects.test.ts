/**
 * What a client makes of a server it reaches through something that is not the server: a proxy
 * that redirects http to https (301, as certbot writes it, or 308), and a web app's own
 * fallback page answering every path (the audit of a deployment behind nginx, findings 2 and 6).
 * Real HTTP on loopback, with the global fetch and with `nodeFetch()`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpRemote, createMemoryStore, createSyncClient, defineSchema, pokeStream, type FieldsyncError, type HttpRemoteOptions } from 'fieldsync';
import { nodeFetch } from 'fieldsync/node';

const TARGET = 'https://sync.example.test';

/** A loopback HTTP server that answers every request with `answer`. */
async function serve(answer: (method: string, path: string) => { status: number; headers: Record<string, string>; body: string }): Promise<Server & { url: string }> {
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

const redirecting = (status: number) => serve((_m, path) => ({ status, headers: { Location: `${TARGET}${path}`, 'Content-Type': 'text/html' }, body: '<html>Moved</html>' }));
/** A single-page app's server: index.html for every GET, 405 for anything else. */
const spa = () => serve((method) => (method === 'GET'
  ? { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: '<!doctype html><div id="root"></div>' }
  : { status: 405, headers: { 'Content-Type': 'text/html' }, body: 'Not Allowed' }));

type FetchFn = NonNullable<HttpRemoteOptions['fetch']>;
const fetches: [string, FetchFn][] = [['the global fetch', (url, init) => fetch(url, init)], ['nodeFetch()', nodeFetch()]];
const schema = defineSchema({ version: 1, tables: { todos: { title: 'string' } } });

describe.each(fetches)('through %s', (_name, fetchFn) => {
  const servers: Server[] = [];
  let r301: string;
  let r308: string;
  let app: string;
  beforeAll(async () => {
    const made = [await redirecting(301), await redirecting(308), await spa()];
    servers.push(...made);
    [r301, r308, app] = made.map((s) => s.url) as [string, string, string];
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it.each([[301], [308]])('a redirect (%i) is an invalid_response that names where it leads: not "unauthorized", nor "GET is not allowed"', async (status) => {
    const remote = createHttpRemote({ url: status === 301 ? r301 : r308, token: 'tok', fetch: fetchFn });
    const err = (await remote.sync({ clientId: 'A', cursor: 0, messages: [] }).catch((e: unknown) => e)) as FieldsyncError & { status: number };
    expect(err).toMatchObject({ code: 'invalid_response', status });
    expect(err.message).toBe(`the server answered with a redirect to ${TARGET} (HTTP ${status}): give createHttpRemote the URL it redirects to (a redirect is not followed: it would drop the token)`);
  });

  it('a client behind such a redirect shows the error, and keeps its writes', async () => {
    const client = await createSyncClient({ schema, store: createMemoryStore(), remote: createHttpRemote({ url: r308, token: 'tok', fetch: fetchFn }), autoSync: false });
    await client.set('todos', 't', 'title', 'x');
    await expect(client.sync()).rejects.toMatchObject({ code: 'invalid_response' });
    expect(client.status).toMatchObject({ state: 'error', pending: 1, error: { code: 'invalid_response' } });
    await client.close();
  });

  it.each([['a redirect', 'redirect'], ['a web page (an app\'s fallback for every path)', 'page']])('the poke stream reports %s as an error, never as connected', async (_what, kind) => {
    const url = kind === 'redirect' ? r301 : app;
    const remote = createHttpRemote({ url, token: 'tok', fetch: fetchFn, pokes: pokeStream({ reconnect: { initialMs: 5000, maxMs: 5000 } }) });
    const errors: FieldsyncError[] = [];
    let opens = 0;
    const stop = remote.subscribe?.('A', { onPoke: () => {}, onOpen: () => opens++, onError: (e) => errors.push(e) });
    await expect.poll(() => errors.length, { timeout: 5000 }).toBe(1);
    stop?.();
    expect(opens).toBe(0);
    expect(errors[0]?.code).toBe('invalid_response');
    expect(errors[0]?.message).toBe(kind === 'redirect'
      ? `the server answered with a redirect to ${TARGET} (HTTP 301): give createHttpRemote the URL it redirects to (a redirect is not followed: it would drop the token)`
      : `${app}/v1/events answered text/html, not an event stream: is the remote's URL the server's?`);
  });
});
