/**
 * The HTTP transport: the protocol (docs/protocol.md) over standard `fetch` and streams
 * only, so that it runs unchanged in Node, Electron, browsers and React Native.
 */
import { FieldsyncError, NetworkError, RemoteError, type ProtocolErrorCode } from './errors.ts';
import { parseSyncResponse, ERROR_STATUS, type SyncRequest, type SyncResponse } from './protocol.ts';
import { COLUMNS_FORMAT } from './columns-page.ts';
import type { PokeListener, Remote } from './remote.ts';
import { subscribePokes } from './poke-stream.ts';
import { COMPRESS_REQUEST_MIN_BYTES, acceptsGzip, canCompress, gzipText } from './request-compression.ts';

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
  /** Reconnection of the poke stream. */
  readonly reconnect?: { readonly initialMs?: number; readonly maxMs?: number };
  /** Reconnect the poke stream when nothing (not even a `: ping`) arrived for this long. Default 75 000. */
  readonly idleTimeoutMs?: number;
  /**
   * Gzip large request bodies once the server has said it takes them (docs/protocol.md §5,
   * "Compression"), where the runtime has `CompressionStream`. Default true.
   */
  readonly compressRequests?: boolean;
}

export interface HttpRemote extends Remote {
  subscribe(clientId: string, listener: PokeListener): () => void;
  /** Replaces the token, for example after a 401 and a new sign-in. */
  setToken(token: TokenSource): void;
}


export function createHttpRemote(options: HttpRemoteOptions): HttpRemote {
  const bad = (why: string): never => {
    throw new FieldsyncError('invalid_argument', `createHttpRemote: ${why}`);
  };
  if (typeof options !== 'object' || options === null) bad('options must be an object');
  if (typeof options.url !== 'string' || !/^https?:\/\/[^/]/.test(options.url)) bad(`url must start with http:// or https://: ${String(options.url)}`);
  const checkToken = (t: unknown): void => {
    if (typeof t !== 'string' && typeof t !== 'function') bad('token must be a string or a function returning one');
  };
  checkToken(options.token);
  if (options.fetch !== undefined && typeof options.fetch !== 'function') bad('fetch must be a function');
  if (options.compressRequests !== undefined && typeof options.compressRequests !== 'boolean') bad('compressRequests must be a boolean');
  for (const key of ['timeoutMs', 'idleTimeoutMs'] as const) {
    const v = options[key];
    if (v !== undefined && (typeof v !== 'number' || !(v > 0))) bad(`${key} must be a positive number`);
  }
  const base = options.url.replace(/\/+$/, '');
  let token = options.token;
  const fetchFn: FetchFn = options.fetch ?? ((url, init) => fetch(url, init));
  const timeoutMs = options.timeoutMs ?? 30_000;
  const mayCompress = options.compressRequests !== false && canCompress();
  // Learned from the server's last sync answer (its Accept-Encoding): plain until it says so.
  let serverTakesGzip = false;

  const authHeader = async (): Promise<string> => `Bearer ${typeof token === 'function' ? await token() : token}`;

  async function sync(request: SyncRequest, opts: { signal?: AbortSignal } = {}): Promise<SyncResponse> {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(opts.signal?.reason);
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(new Error('timeout')), timeoutMs);
    try {
      let response: Response;
      let text: string;
      try {
        // Pages in the columns format (docs/protocol.md §5): a server that predates it
        // ignores the field and answers with `messages`, which parseSyncResponse reads too.
        const json = JSON.stringify({ ...request, format: COLUMNS_FORMAT });
        const send = async (gzip: boolean): Promise<Response> => fetchFn(`${base}/v1/sync`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: await authHeader(), ...(gzip ? { 'Content-Encoding': 'gzip' } : {}) },
          body: gzip ? await gzipText(json) : json,
          signal: controller.signal,
        });
        const gzip = mayCompress && serverTakesGzip && json.length >= COMPRESS_REQUEST_MIN_BYTES;
        response = await send(gzip);
        text = await response.text();
        serverTakesGzip = acceptsGzip(response.headers.get('accept-encoding'));
        // A server that no longer takes gzip (replaced by another at the same address)
        // answers 415, or, predating compression, reads the gzip as bad JSON (400) and
        // advertises nothing: the same request again, plain.
        if (gzip && (response.status === 415 || (response.status === 400 && !serverTakesGzip))) {
          serverTakesGzip = false;
          response = await send(false);
          text = await response.text();
          serverTakesGzip = acceptsGzip(response.headers.get('accept-encoding'));
        }
      } catch (err) {
        if (err instanceof FieldsyncError) throw err;
        throw new NetworkError(controller.signal.aborted ? 'the request was aborted or timed out' : 'the server could not be reached', err);
      }
      if (response.status === 200) {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          throw new RemoteError(200, 'invalid_response', 'the server answered with invalid JSON');
        }
        return parseSyncResponse(body, request.cursor);
      }
      throw errorFromResponse(response, text);
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  function subscribe(clientId: string, listener: PokeListener): () => void {
    return subscribePokes({
      url: `${base}/v1/events?clientId=${encodeURIComponent(clientId)}`,
      fetch: fetchFn,
      authHeader,
      listener,
      reconnect: options.reconnect ?? {},
      idleTimeoutMs: options.idleTimeoutMs ?? 75_000,
      errorFromResponse,
    });
  }

  return {
    sync,
    subscribe,
    setToken(next) {
      checkToken(next);
      token = next;
    },
  };
}

/** Turns a non-200 answer into a RemoteError, tolerating bodies that are not the protocol's. */
export function errorFromResponse(response: Response, text: string): RemoteError {
  const status = response.status;
  let code: ProtocolErrorCode | undefined;
  let message = `HTTP ${status}`;
  let index: number | undefined;
  let serverTime = parseDate(response.headers.get('date'));
  try {
    const body = JSON.parse(text) as { error?: Record<string, unknown> };
    const e = body.error;
    if (e && typeof e.code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_STATUS, e.code)) code = e.code as ProtocolErrorCode;
    if (e && typeof e.message === 'string') message = e.message;
    if (e && Number.isSafeInteger(e.index)) index = e.index as number;
    if (e && typeof e.serverTime === 'string') serverTime = parseDate(e.serverTime) ?? serverTime;
  } catch {
    // Not JSON (a proxy's HTML page, say): fall back to the status.
  }
  code ??= status === 401 ? 'unauthorized' : status === 413 ? 'payload_too_large' : status === 429 ? 'rate_limited'
    : status === 404 ? 'not_found' : status >= 500 ? 'internal' : 'invalid_request';
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  return new RemoteError(status, code, message, {
    ...(index !== undefined ? { index } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(serverTime !== undefined ? { serverTime } : {}),
  });
}

function parseDate(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = parseDate(value);
  return at === undefined ? undefined : Math.max(0, at - Date.now());
}
