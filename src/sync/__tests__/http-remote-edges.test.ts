/**
 * The HTTP remote at its edges (round 37's mutation run of http-remote.ts): options that are
 * almost right, what a failed sync says about why, redirects a `fetch` reports in unusual
 * ways, and what a sync leaves on the caller's signal. http-remote.test.ts has the common cases.
 */
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FieldsyncError, NetworkError, RemoteError, ValidationError, createHttpRemote } from '../index.ts';
import { closeServers, serve } from './harness/loopback.ts';

afterEach(closeServers);

const ok = { accepted: 0, cursor: 3, more: false, serverTime: '2026-11-24T15:00:00.000Z', messages: [] };
const request = { clientId: 'c', cursor: 0 };
/** createHttpRemote({ url }) throws a ValidationError (invalid_argument) with this message. */
function refused(url: string, message: string): void {
  let err: unknown = null;
  try {
    createHttpRemote({ url, token: 't' });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ValidationError);
  expect(err).toMatchObject({ code: 'invalid_argument', message });
}
const caught = (p: Promise<unknown>): Promise<unknown> => p.then(() => 'resolved', (e: unknown) => e);

describe('createHttpRemote options', () => {
  it('refuses a URL object with a typed error: the URL is a string', () => {
    expect(() => createHttpRemote({ url: new URL('http://127.0.0.1:8787') as never, token: 't' })).toThrow(FieldsyncError);
  });

  it('refuses pokes that are null with a typed error', () => {
    expect(() => createHttpRemote({ url: 'http://x', token: 't', pokes: null as never })).toThrow(FieldsyncError);
  });

  it('takes a base URL whose path only starts like the sync endpoint', () => {
    expect(() => createHttpRemote({ url: 'http://x/api/v1/sync-gateway', token: 't' })).not.toThrow();
    expect(() => createHttpRemote({ url: 'http://x/v1/events2/', token: 't' })).not.toThrow();
  });

  // Accepted, each made every sync a NetworkError "could not be reached", as if offline, or
  // (a query or fragment) sent the request to http://h/base?a=1#frag/v1/sync.
  it.each([
    ['http://bad host:8787', 'is not a valid URL'],
    ['http://127.0.0.1:99999', 'is not a valid URL'],
    ['http://127.0.0.1:8787x', 'is not a valid URL'],
    ['http://h/base?a=1#frag', 'must have no query or fragment'],
    ['http://h/base?a=1', 'must have no query or fragment'],
    ['https://h#x', 'must have no query or fragment'],
    ['http://127.0.0.1:0', 'has a port out of range (1-65535)'],
  ])('refuses the URL %s when it is created: it %s', (url, why) => {
    refused(url, `createHttpRemote: url ${why}: ${url}`);
  });

  it('without a global URL (QuickJS), refuses a bad host or port by its own reading, and takes a good URL', () => {
    vi.stubGlobal('URL', undefined);
    try {
      for (const url of ['http://bad host:8787', 'http://h:8787x', 'http://[::1:8787']) {
        refused(url, `createHttpRemote: url is not a valid URL: ${url}`);
      }
      refused('http://h:65536', 'createHttpRemote: url has a port out of range (1-65535): http://h:65536');
      refused('http://h/a?b', 'createHttpRemote: url must have no query or fragment: http://h/a?b');
      refused('http://u@h:1', 'createHttpRemote: url must have no user name or password: the token is the credential: http://h:1');
      for (const url of ['http://127.0.0.1:8787', 'https://sync.example/app/', 'http://[::1]:65535/x', 'http://localhost']) {
        expect(() => createHttpRemote({ url, token: 't' })).not.toThrow();
      }
    } finally {
      vi.unstubAllGlobals();
    }
  });

  // Accepted, fetch (global or nodeFetch) refused every request with a TypeError: each sync
  // failed as "could not be reached", as if offline, for ever.
  it.each([
    ['https://alice:s3cret@sync.example.com/app', 'https://sync.example.com/app'],
    ['http://alice@127.0.0.1:8787', 'http://127.0.0.1:8787'],
    ['http://:s3cret@h', 'http://h'],
    ['https://a:b@c@h/x?y', 'https://h/x?y'],
  ])('refuses the URL %s, with a user name or password, without saying them', (url, shown) => {
    refused(url, `createHttpRemote: url must have no user name or password: the token is the credential: ${shown}`);
  });

  it('takes the URLs a server is given by, port, path and IPv6 alike', () => {
    for (const url of ['http://127.0.0.1:8787', 'https://sync.example/app/', 'http://[::1]:65535/x', 'http://localhost:1', 'http://h:', 'http://h/team@example', 'http://h/proxy/http://a@b']) {
      expect(() => createHttpRemote({ url, token: 't' })).not.toThrow();
    }
  });

  it('given the endpoint URL, names the base URL to give instead: the last /v1/... taken off', () => {
    expect(() => createHttpRemote({ url: 'http://x/v1/api/v1/sync/', token: 't' }))
      .toThrow(/^createHttpRemote: url is the server's base URL, without \/v1\/\.\.\.: http:\/\/x\/v1\/api$/);
  });

  it('calls a token function, whatever its text reads like', async () => {
    // A callable with a text of its own (a wrapped or bound function may have one) is still a function.
    const token = Object.assign(() => 'tok', { toString: () => 'Bearer tok' });
    const seen: (string | undefined)[] = [];
    const fetch = async (_url: string, init?: RequestInit): Promise<Response> => {
      seen.push((init?.headers as Record<string, string>).Authorization);
      return new Response(JSON.stringify(ok));
    };
    await createHttpRemote({ url: 'http://x', token, fetch }).sync(request);
    expect(seen).toEqual(['Bearer tok']);
  });
});

describe('a failed sync says why', () => {
  it('a timeout is the NetworkError\'s cause; an abort, the caller\'s reason', async () => {
    const silent = await serve(() => {}); // never answers
    const timedOut = await caught(createHttpRemote({ url: silent, token: 't', timeoutMs: 50 }).sync(request));
    expect(timedOut).toBeInstanceOf(NetworkError);
    expect((timedOut as NetworkError).cause).toMatchObject({ message: 'timeout' });
    const controller = new AbortController();
    const aborted = caught(createHttpRemote({ url: silent, token: 't' }).sync(request, { signal: controller.signal }));
    controller.abort(new Error('the app went offline'));
    expect(((await aborted) as NetworkError).cause).toMatchObject({ message: 'the app went offline' });
  });

  it('a 200 whose body is not JSON is "invalid JSON", not a malformed answer', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('<html>a captive portal</html>');
    });
    const err = await caught(createHttpRemote({ url, token: 't' }).sync(request));
    expect(err).toMatchObject({ code: 'invalid_response', message: 'the server answered with invalid JSON' });
  });

  it('an error code that is not a string is not taken, even one whose text is a code', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: ['unauthorized'], message: 'no' } }));
    });
    expect(await caught(createHttpRemote({ url, token: 't' }).sync(request))).toMatchObject({ code: 'invalid_request', message: 'no' });
  });

  // The app's own fetch (a wrapper gone wrong): it was "the server could not be reached".
  it.each([
    ['null', null, 'null'],
    ['a string', 'ok', 'string'],
    ['an object without a status', { ok: true }, 'object'],
  ])('a fetch that answers with %s is a ValidationError that says so, not a network failure', async (_name, answer, said) => {
    const err = await caught(createHttpRemote({ url: 'http://x', token: 't', fetch: async () => answer as never }).sync(request));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ code: 'invalid_argument', message: `createHttpRemote: fetch answered with ${said}, not a Response` });
  });

  it('a 405 that was not redirected is the server\'s own answer', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(405, { 'Content-Type': 'text/html' });
      res.end('<html>method not allowed</html>');
    });
    const err = await caught(createHttpRemote({ url, token: 't' }).sync(request));
    expect(err).toBeInstanceOf(RemoteError);
    expect(err).toMatchObject({ status: 405, code: 'invalid_request', message: 'HTTP 405' });
  });
});

describe('a redirect fetch followed', () => {
  /** A fetch that answers 401 from `to`, as one that followed a redirect there. */
  const redirectedTo = (to: string) => async (): Promise<Response> => {
    const r = new Response(JSON.stringify({ error: { code: 'unauthorized', message: 'missing bearer token' } }), { status: 401 });
    Object.defineProperties(r, { redirected: { value: true }, url: { value: to } });
    return r;
  };
  const syncVia = (to: string, url = 'http://app.example.test'): Promise<unknown> =>
    caught(createHttpRemote({ url, token: 't', fetch: redirectedTo(to) }).sync(request));
  const said = (to: string) => `the server redirected the request to ${to} (HTTP 401 there)`;

  it('to another host of the same scheme is reported, whatever the hosts share', async () => {
    expect(await syncVia('http://api.example.test/v1/sync')).toMatchObject({ code: 'invalid_response', message: expect.stringContaining(said('http://api.example.test')) });
  });

  it('to a URL that is not absolute is reported as a redirect, not taken for the same origin', async () => {
    expect(await syncVia('/login?next=http://app.example.test/v1/sync'))
      .toMatchObject({ code: 'invalid_response', message: expect.stringContaining(said('/login?next=http://app.example.test')) });
  });

  it('names at most 200 characters of where it led, and takes off only a trailing endpoint', async () => {
    const long = `https://other.test/${'a'.repeat(500)}`;
    expect(await syncVia(long)).toMatchObject({ message: expect.stringContaining(said(long.slice(0, 200))) });
    expect(await syncVia('https://other.test/v1/syncs/v1/sync')).toMatchObject({ message: expect.stringContaining(said('https://other.test/v1/syncs')) });
  });
});

it('leaves no listener on the caller\'s signal once a sync is over', async () => {
  // An app that passes one signal to every sync would otherwise gather a listener per sync.
  const controller = new AbortController();
  const remote = createHttpRemote({ url: 'http://x', token: 't', fetch: async () => new Response(JSON.stringify(ok)) });
  await remote.sync(request, { signal: controller.signal });
  expect(getEventListeners(controller.signal, 'abort')).toEqual([]);
});
