/**
 * `nodeFetch()`: a `fetch` for Node on `node:http`/`node:https` and `node:zlib`, with its own
 * keep-alive agents. It answers with real `Response` objects and fails as fetch fails, so
 * it goes wherever a fetch does: `createHttpRemote({ url, token, fetch: nodeFetch() })`.
 *
 * Why: Node's global fetch (undici) spends about twice the CPU of this on a sync page
 * (89 KB of JSON, 17 KB gzipped, over loopback: 1.6-1.9 ms against 0.8-1.1 ms per page on a
 * busy 2-core machine), about 0.8 µs per change of the 3-4 µs a client spends pulling.
 *
 * What it does as fetch does: `Accept-Encoding: gzip, deflate, br` unless the caller set
 * one, the answer decoded; string, bytes and URLSearchParams bodies with their length;
 * redirects followed (at most 20; `Authorization` dropped when leaving the origin;
 * `redirect: 'manual' | 'error'` honoured); `AbortSignal` before and while the answer
 * streams in (the promise or the body's reader rejects with the signal's reason); a network
 * failure is a rejected `TypeError('fetch failed')` with the cause. What it leaves to the
 * global fetch: a `Request` object as input, and bodies that are Blobs, FormData or streams.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { NodeResponse } from './node-response.ts';
import { answerBody } from './response-body.ts';
import { bodyBytes, requestParts, type RequestParts } from './request-parts.ts';

export interface NodeFetchOptions {
  /** The agent for `http:` URLs; default one of this fetch's own, keep-alive. */
  readonly httpAgent?: http.Agent;
  /** The agent for `https:` URLs (your own CA or client certificate go here); default keep-alive. */
  readonly httpsAgent?: https.Agent;
}

export interface NodeFetch {
  (input: string | URL, init?: RequestInit): Promise<Response>;
  /** Closes the idle connections of the agents this fetch made (not of agents passed in). */
  close(): void;
}

// Node's own global agent's settings: idle sockets are closed after 5 s (or the server's
// `Keep-Alive: timeout`), and never keep the process alive.
const AGENT = { keepAlive: true, scheduling: 'lifo', timeout: 5000 } as const;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 204, 205, 304]);
const MAX_REDIRECTS = 20;
const DIGITS = /^\d{1,15}$/;

const OPTION_KEYS = { httpAgent: 0, httpsAgent: 0 } satisfies Record<keyof NodeFetchOptions, 0>;

/**
 * Why `options` are not NodeFetchOptions, or null. Checked when the fetch is made: a misspelt
 * agent would be ignored unseen (its CA or client certificate not used), and null read as a
 * TypeError of its own. A TypeError, as `fetch` refuses a bad `init` (src/node imports only
 * node: modules, so not the core's ValidationError).
 */
function optionsProblem(options: unknown): string | null {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return 'options must be an object';
  for (const key of Object.keys(options)) if (!Object.hasOwn(OPTION_KEYS, key)) return `unknown option ${key.slice(0, 80)}: the options are ${Object.keys(OPTION_KEYS).join(', ')}`;
  const { httpAgent, httpsAgent } = options as NodeFetchOptions;
  if (httpAgent !== undefined && !(httpAgent instanceof http.Agent)) return 'httpAgent must be an http.Agent';
  if (httpsAgent !== undefined && !(httpsAgent instanceof https.Agent)) return 'httpsAgent must be an https.Agent';
  return null;
}

export function nodeFetch(options: NodeFetchOptions = {}): NodeFetch {
  const why = optionsProblem(options);
  if (why !== null) throw new TypeError(`nodeFetch: ${why}`);
  const own: http.Agent[] = [];
  const made = <A extends http.Agent>(agent: A): A => (own.push(agent), agent);
  const httpAgent = options.httpAgent ?? made(new http.Agent(AGENT));
  const httpsAgent = options.httpsAgent ?? made(new https.Agent(AGENT));

  async function fetchFn(input: string | URL, init: RequestInit = {}): Promise<Response> {
    const body = bodyBytes(init.body);
    if ((typeof input !== 'string' && !(input instanceof URL)) || body === undefined) return fetch(input, init);
    // An aborted signal is looked at once the request is known to be one fetch would make
    // (in send()): as fetch, a bad URL or init is refused with its TypeError even then.
    const signal = init.signal ?? null;
    let url: URL;
    try {
      url = new URL(input);
    } catch (err) {
      throw new TypeError(`Failed to parse URL from ${String(input)}`, { cause: err });
    }
    // As fetch: credentials go in headers, never in the URL (where logs and proxies keep them).
    if (url.username || url.password) throw new TypeError(`Request cannot be constructed from a URL that includes credentials: ${url.origin}`);
    let parts = requestParts(init, body);
    for (let hops = 0; ; hops++) {
      const res = await send(url, parts, signal);
      // (`res.headers` is built on first use: only a redirect needs it.)
      const location = REDIRECTS.has(res.statusCode as number) ? res.headers.location : undefined;
      if (location === undefined || init.redirect === 'manual') return response(res, signal, url, parts.method, hops > 0);
      res.resume();
      if (init.redirect === 'error') throw new TypeError('fetch failed', { cause: new Error(`redirect mode is set to error: ${url.href}`) });
      if (hops >= MAX_REDIRECTS) throw new TypeError('fetch failed', { cause: new Error('redirect count exceeded') });
      const next = new URL(location, url);
      parts = redirected(parts, res.statusCode as number, url, next);
      url = next;
    }
  }

  function send(url: URL, parts: RequestParts, signal: AbortSignal | null): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      // Aborted already (before the first hop, or between two hops of a redirect).
      if (signal?.aborted) return reject(signal.reason);
      const secure = url.protocol === 'https:';
      if (!secure && url.protocol !== 'http:') return reject(new TypeError('fetch failed', { cause: new Error(`unsupported protocol ${url.protocol}`) }));
      let req: http.ClientRequest;
      const onAbort = (): void => {
        req?.destroy();
        reject(signal?.reason);
      };
      try {
        req = (secure ? https : http).request(url, { method: parts.method, headers: parts.headers, agent: secure ? httpsAgent : httpAgent });
      } catch (err) {
        // Node refuses a header name or value it cannot send: fetch refuses those too.
        return reject(new TypeError(err instanceof Error ? err.message : String(err), { cause: err }));
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      req.once('response', (res) => {
        signal?.removeEventListener('abort', onAbort);
        if (!req.writableFinished) stopSending(req, res);
        resolve(res);
      });
      req.on('error', (err) => {
        signal?.removeEventListener('abort', onAbort);
        reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: err }));
      });
      req.end(parts.body ?? undefined);
    });
  }

  const fetcher = fetchFn as NodeFetch;
  fetcher.close = () => {
    for (const agent of own) agent.destroy();
  };
  return fetcher;
}

/**
 * An answer that arrived while the request's body was still being sent: a server refusing
 * it before reading it (413, 429), often with `Connection: close`, and not reading the rest.
 * Node would go on sending the whole body until the server closes, and with keep-alive would
 * then reuse the connection, whose other end took the rest as a body; fetch (undici) stops.
 * So the connection is closed as soon as the answer is in (the caller gets it whole: the
 * 413/429, not a network error), which stops the upload, and is never handed back for reuse.
 * A body already written in one piece is queued below Node's stream: only closing the socket
 * drops what is left of it.
 */
function stopSending(req: http.ClientRequest, res: IncomingMessage): void {
  req.shouldKeepAlive = false;
  res.once('end', () => req.destroy());
}

/** The `Response` for a Node answer: headers as sent, the body decoded and streamed. */
function response(res: IncomingMessage, signal: AbortSignal | null, url: URL, method: string, redirected: boolean): Response {
  const status = res.statusCode as number;
  const raw = res.rawHeaders;
  const headers: [string, string][] = [];
  let coding: string | undefined;
  let length: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    headers.push([name, value]);
    if (name.length === 16 && name.toLowerCase() === 'content-encoding') coding = coding === undefined ? value : `${coding}, ${value}`;
    else if (name.length === 14 && length === undefined && name.toLowerCase() === 'content-length') length = value;
  }
  let body: ReadableStream<Uint8Array> | null = null;
  let release = (): void => {};
  if (NULL_BODY.has(status) || method === 'HEAD') res.resume();
  else {
    // Aborted while the body streams in: the reader rejects with the signal's reason.
    const onAbort = (): void => decoded.stop(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    const done = (): void => signal?.removeEventListener('abort', onAbort);
    const decoded = answerBody(res, coding, length !== undefined && DIGITS.test(length) ? Number(length) : NaN, (err) => (signal?.aborted ? signal.reason : new TypeError('terminated', { cause: err })), done);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort(); // aborted in the moment between the headers and here
    body = decoded.stream;
    release = done;
  }
  try {
    return new NodeResponse(body, { status, statusText: res.statusMessage ?? '', headers }, url.href, redirected);
  } catch (err) {
    release();
    res.destroy();
    throw new TypeError('fetch failed', { cause: err });
  }
}

/** The request for a redirect's next hop, as fetch makes it. */
function redirected(parts: RequestParts, status: number, from: URL, to: URL): RequestParts {
  const headers = { ...parts.headers };
  let { method, body } = parts;
  if (status === 303 ? method !== 'GET' && method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST') {
    method = 'GET';
    body = null;
    for (const name of ['content-length', 'content-type', 'content-encoding', 'content-language', 'content-location']) delete headers[name];
  }
  if (from.origin !== to.origin) {
    for (const name of ['authorization', 'cookie', 'proxy-authorization', 'host']) delete headers[name];
  }
  return { method, headers, body };
}
