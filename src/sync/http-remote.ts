/**
 * The HTTP transport: the protocol (docs/protocol.md) over standard `fetch` and streams
 * only, so that it runs unchanged in Node, Electron, browsers and React Native.
 */
import { abortController } from './abort.ts';
import { answerBound, answerJson, fromLines, invalidJson, readAnswer } from './answer-lines.ts';
import { delayError } from './backoff.ts';
import { FieldsyncError, NetworkError, RemoteError, errorText, invalidArgument, reading, threw, type ProtocolErrorCode } from './errors.ts';
import { optionsError } from './option-keys.ts';
import { wireRequest, ERROR_STATUS, type SyncRequest, type SyncResponse } from './protocol.ts';
import { readSyncResponse } from './sync-response.ts';
import type { PokeListener, Remote } from './remote.ts';
import type { PokeSource } from './poke-stream.ts';
import type { Answer, RequestCompression, SendBody } from './request-compression.ts';
import { smallerRequests, type AnswerSize } from './request-smaller.ts';

export type TokenSource = string | (() => string | Promise<string>);
export type FetchFn = (url: string, init?: RequestInit) => Promise<Response>;

export interface HttpRemoteOptions {
  /** The server's base URL, such as `http://127.0.0.1:8787`. */
  readonly url: string;
  /** A bearer token, or a function that returns the current one. */
  readonly token: TokenSource;
  /** A `fetch` implementation; defaults to the global one. */
  readonly fetch?: FetchFn;
  /** Abort a sync request after this long, in ms. Default 30 000. */
  readonly timeoutMs?: number;
  /**
   * Realtime pokes: `pokeStream()` makes the client sync as soon as another device pushes.
   * Without it the client syncs after its writes, on its interval and on `sync()`.
   */
  readonly pokes?: PokeSource;
  /**
   * Request compression: `gzipRequests` gzips large request bodies once the server has said
   * it takes them (docs/protocol.md §5, "Compression"). Without it, requests go plain.
   */
  readonly compress?: RequestCompression;
  /**
   * Told when an answer was refused for its size alone (over 40 MiB, or over what the request
   * asked for can be: docs/protocol.md §5, "Answer bytes") and the remote asks again for less:
   * at most `limit` messages a page and `pages` pages. A server before round 60 whose store
   * pages by count alone sends such answers; the sync goes on in smaller steps (round 61).
   */
  readonly onAnswerTooLarge?: (size: { readonly limit: number; readonly pages: number }) => void;
}

export interface HttpRemote extends Remote {
  /** Present with the `pokes` option. */
  subscribe?(clientId: string, listener: PokeListener): () => void;
  /** Replaces the token, for example after a 401 and a new sign-in. */
  setToken(token: TokenSource): void;
}


/** Every key of HttpRemoteOptions (the type makes the list complete): any other is refused. */
const OPTION_KEYS = { url: 0, token: 0, fetch: 0, timeoutMs: 0, pokes: 0, compress: 0, onAnswerTooLarge: 0 } satisfies Record<keyof HttpRemoteOptions, 0>;
/**
 * A bearer token as a header carries it: printable ASCII, no spaces (RFC 6750's token68 and
 * more). Empty is let through: "Bearer " is a 401, which is what a signed-out app should see.
 */
const isToken = (t: unknown): t is string => typeof t === 'string' && /^[\x21-\x7e]*$/.test(t);
const A_TOKEN = 'printable ASCII, no spaces';

export function createHttpRemote(options: HttpRemoteOptions): HttpRemote {
  return reading('createHttpRemote: reading the options', () => remoteOf(options));
}

function remoteOf(options: HttpRemoteOptions): HttpRemote {
  const bad = (why: string): never => {
    throw invalidArgument(`createHttpRemote: ${why}`);
  };
  const why = optionsError(options, OPTION_KEYS);
  if (why) bad(why);
  if (typeof options.url !== 'string' || !/^https?:\/\/[^/]/.test(options.url)) bad(`url must start with http:// or https://: ${errorText(options.url)}`);
  const urlWhy = baseUrlError(options.url);
  // A user name or password is not echoed: errors get logged.
  if (urlWhy) bad(`url ${urlWhy}: ${options.url.replace(USER_INFO, '$1').slice(0, 200)}`);
  // The endpoint's URL (every sync then got "no such endpoint", naming no URL): the base is meant.
  if (/\/v1\/(sync|events)\/*$/.test(options.url)) bad(`url is the server's base URL, without /v1/...: ${options.url.replace(/\/v1\/\w+\/*$/, '')}`);
  const checkToken = (t: unknown): void => {
    if (typeof t === 'string' && /^bearer\s/i.test(t)) bad('token is the token alone: the remote writes "Bearer " itself');
    if (typeof t !== 'function' && !isToken(t)) bad(`token must be a string or a function returning one (${A_TOKEN})`);
  };
  checkToken(options.token);
  for (const key of ['fetch', 'compress', 'onAnswerTooLarge'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') bad(`${key} must be a function`);
  }
  // `pokes: pokeStream`, uncalled, is a function too (and `compress: gzipRequests` is passed
  // uncalled): it was taken for the poke source, realtime was silently off, and going offline
  // threw a TypeError. What pokeStream() returns says so (poke-stream.ts).
  if (options.pokes !== undefined && (options.pokes as Partial<PokeSource> | null)?.pokeSource !== true) {
    bad('pokes must be pokeStream(), called');
  }
  // The mirror mistake, `compress: gzipRequests()`: what it returns takes a request, and called
  // with none below it failed, a rejection no one handled (the end of a Node process) or, without
  // CompressionStream, a TypeError. A compression is called with no argument.
  if ((options.compress?.length ?? 0) > 0) bad('compress must be gzipRequests, uncalled');
  const timeoutError = delayError('timeoutMs', options.timeoutMs, 1);
  if (timeoutError !== null) bad(timeoutError);
  const base = options.url.replace(/\/+$/, '');
  let token = options.token;
  const fetchFn: FetchFn = options.fetch ?? ((url, init) => fetch(url, init));
  const timeoutMs = options.timeoutMs ?? 30_000;
  // One per remote: what it learns is about this server.
  const encode = options.compress?.();
  const smaller = smallerRequests(options.onAnswerTooLarge);

  /**
   * The header, from the token or what the token function gives now. A function that throws
   * (not signed in yet, a token refresh that failed) is named as the cause: reported as "the
   * server could not be reached", it looked like a network failure and fetch was never called.
   * It is still retried with backoff, as the state 'error': a token function often fetches the
   * token itself, and fails while the network does. What it gives must be a token: a header
   * with `undefined` in it, or a line break, was sent or refused by fetch as a network error.
   */
  const authHeader = async (): Promise<string> => {
    let value: unknown = token;
    if (typeof token === 'function') {
      try {
        value = await token();
      } catch (err) {
        throw threw('createHttpRemote: the token function', err);
      }
    }
    if (!isToken(value)) throw invalidArgument(`createHttpRemote: the token function must return a string (${A_TOKEN})`);
    return `Bearer ${value}`;
  };

  async function sync(request: SyncRequest, options: { signal?: AbortSignal } = {}): Promise<SyncResponse> {
    // The client's own calls pass both; an app that drives the remote itself gets its mistake named.
    const signal = (options as { signal?: AbortSignal } | null)?.signal;
    if (typeof request !== 'object' || request === null || typeof options !== 'object' || options === null || (signal !== undefined && typeof signal?.addEventListener !== 'function')) {
      throw invalidArgument('remote.sync(request, options?) takes a sync request and { signal?: AbortSignal }');
    }
    return smaller(wireRequest(request), (wire, asked) => send(wire, asked, request.cursor, signal));
  }

  /** One request and its answer: what it asks for (`asked`) bounds what is read and what the answer may hold. */
  async function send(wire: SyncRequest, asked: AnswerSize, cursor: number, signal: AbortSignal | undefined): Promise<SyncResponse> {
    const controller = abortController();
    const onAbort = (): void => controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(new Error('timeout')), timeoutMs);
    try {
      let answer: Answer;
      try {
        // Columns pages, several per answer while there is a backlog (docs/protocol.md §5): a
        // server that predates them answers with one `messages` page, which readSyncResponse
        // reads too. A catch-up makes an eighth of the round trips, each page its own commit.
        const json = JSON.stringify(wire);
        // What is read of the answer is bounded by what this request asks for (answer-lines.ts).
        const bound = answerBound(asked.limit, asked.pages);
        const sendBody: SendBody = async (body, encoding) => {
          const response = await fetchFn(`${base}/v1/sync`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: await authHeader(), ...(encoding ? { 'Content-Encoding': encoding } : {}) },
            body,
            signal: controller.signal,
          });
          // The app's own fetch that answers with something else (a wrapper gone wrong) is its
          // mistake, not an unreachable server: said so, it is not retried as a network failure.
          if (typeof response !== 'object' || response === null || typeof response.status !== 'number') {
            throw invalidArgument(`createHttpRemote: fetch answered with ${response === null ? 'null' : typeof response}, not a Response`);
          }
          return readAnswer(response, controller.signal, bound);
        };
        answer = await (encode ? encode(json, sendBody) : sendBody(json));
      } catch (err) {
        if (err instanceof FieldsyncError) throw err;
        throw new NetworkError(controller.signal.aborted ? 'the request was aborted or timed out' : 'the server could not be reached', err);
      }
      const { response, text } = answer;
      const redirected = redirectError(response, `${base}/v1/sync`);
      if (redirected) throw redirected;
      if (response.status === 200) {
        let body: unknown;
        try {
          body = answer.lines ? fromLines(answer.lines) : answerJson(text);
        } catch {
          throw invalidJson();
        }
        return readSyncResponse(body, cursor, asked);
      }
      throw errorFromResponse(response, text);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  const pokes = options.pokes;
  return {
    sync,
    ...(pokes ? { subscribe: (clientId: string, listener: PokeListener) => pokes({ url: base, fetch: fetchFn, authHeader, errorFromResponse, redirectError }, clientId, listener) } : {}),
    setToken(next) {
      checkToken(next);
      token = next;
    },
  };
}

/** The `user:password@` of a URL's authority. */
const USER_INFO = /^(https?:\/\/)[^/?#]*@/i;

/**
 * Why an http(s) base URL would fail every sync, or null. Accepted, such a URL made each sync
 * a NetworkError ("could not be reached", as if offline) or a wrong endpoint (a query or a
 * fragment before /v1/sync). The global `URL` parses it where there is one; the host and port
 * are also read by a regex, for hosts without it (or with React Native's, which checks nothing).
 */
function baseUrlError(url: string): string | null {
  // fetch refuses every request to such a URL (a TypeError: "could not be reached" for ever).
  if (USER_INFO.test(url)) return 'must have no user name or password: the token is the credential';
  if (/[?#]/.test(url)) return 'must have no query or fragment';
  const m = /^https?:\/\/(?:\[[\da-f:.]+\]|[^\s:/@[\]]+)(?::(\d*))?(?:\/|$)/i.exec(url);
  let parses = m !== null;
  const Url = (globalThis as { URL?: new (url: string) => unknown }).URL;
  if (typeof Url === 'function') {
    try {
      new Url(url);
      parses = true;
    } catch {
      parses = false;
    }
  }
  if (!parses) return 'is not a valid URL';
  const port = m?.[1] ? Number(m[1]) : 1;
  return port < 1 || port > 65535 ? 'has a port out of range (1-65535)' : null;
}

/** The scheme, host and port of an absolute URL (lower case), or '' (no URL class: React Native's lacks parts). */
const originOf = (url: string): string => /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url)?.[0].toLowerCase() ?? '';

/**
 * A redirect gone wrong, or null: `fetch` follows redirects, which works within the server's
 * origin (a 307 or 308 keeps the method, the body and the token), but one to another origin
 * drops the token (the usual case: an `http://` URL to a server whose proxy sends everything
 * to `https://`), and a 301 or 302 turns the POST into a GET. Reported as they were, the app was
 * told to sign in again ("missing bearer token"), which cannot help, or saw "GET is not allowed"
 * retried for ever. A runtime whose fetch does not say (`redirected` undefined) is as before.
 */
export function redirectError(response: Response, requested: string): RemoteError | null {
  if (response.redirected !== true || !response.url) return null;
  if (originOf(response.url) === originOf(requested) && response.status !== 405) return null;
  const to = response.url.slice(0, 200).replace(/\/v1\/(sync|events)(\?.*)?$/, '');
  return new RemoteError(response.status, 'invalid_response',
    `the server redirected the request to ${to} (HTTP ${response.status} there): give createHttpRemote that URL (a redirect to another origin drops the token, and a 301 turns the POST into a GET)`);
}

/** Turns a non-200 answer into a RemoteError, tolerating bodies that are not the protocol's. */
export function errorFromResponse(response: Response, text: string): RemoteError {
  const status = response.status;
  let code: ProtocolErrorCode | undefined;
  let message = `HTTP ${status}`;
  let index: number | undefined;
  // The answer's own `Date`: its server time unless the body says, and what `Retry-After` is read against.
  const answeredAt = parseDate(response.headers.get('date'));
  let serverTime = answeredAt;
  try {
    // A body of `null` throws here; one without an error object leaves the fallbacks.
    const e = (JSON.parse(text) as { error?: Record<string, unknown> }).error ?? {};
    if (typeof e.code === 'string' && Object.hasOwn(ERROR_STATUS, e.code)) code = e.code as ProtocolErrorCode;
    if (typeof e.message === 'string') message = e.message;
    if (Number.isSafeInteger(e.index)) index = e.index as number;
    if (typeof e.serverTime === 'string') serverTime = parseDate(e.serverTime) ?? serverTime;
  } catch {
    // Not JSON (a proxy's HTML page, say): fall back to the status.
  }
  // No protocol error code: not the sync server's refusal, which is permanent (errors.ts).
  const foreign = code === undefined;
  code ??= status === 401 ? 'unauthorized' : status === 413 ? 'payload_too_large' : status === 429 ? 'rate_limited'
    : status === 404 ? 'not_found' : status >= 500 ? 'internal' : 'invalid_request';
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), answeredAt);
  return new RemoteError(status, code, message, { index, retryAfterMs, serverTime, foreign });
}

function parseDate(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * `Retry-After` in seconds, or as an HTTP date. A date is the server's clock: it is read
 * against the answer's own `Date` when there is one, not the device's clock, which may be
 * a day off (a 10 s wait would become a day's).
 */
function parseRetryAfter(value: string | null, answeredAt: number | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = parseDate(value);
  return at === undefined ? undefined : Math.max(0, at - (answeredAt ?? Date.now()));
}
