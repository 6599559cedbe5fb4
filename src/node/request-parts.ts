/**
 * A `fetch` call's init, turned into what `node:http` takes: the method, the headers as one
 * lower-cased object, and the body as one Buffer with its length. What fetch would refuse
 * (a body on GET, a header it cannot send) is refused here with the same TypeError.
 */
import type { OutgoingHttpHeaders } from 'node:http';

export interface RequestParts {
  readonly method: string;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer | null;
}

/**
 * Methods sent upper-cased: those fetch upper-cases, and PATCH, which fetch sends as written
 * (a lower-case `patch` that no server knows; here, deliberately, the method meant). The rest
 * are sent as written, as fetch does.
 */
const NORMALISED = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH']);
/** Methods fetch refuses (the Fetch standard's forbidden methods), in any case. */
const FORBIDDEN = new Set(['CONNECT', 'TRACE', 'TRACK']);
/** An HTTP token (RFC 9110): what a method must be, else fetch refuses it. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** What fetch sends when the caller did not say: any answer, compressed as we can decode it. */
const DEFAULTS: Readonly<Record<string, string>> = { accept: '*/*', 'accept-encoding': 'gzip, deflate, br' };

/** The body as bytes, or `undefined` when it is of a kind this transport leaves to the global fetch. */
export function bodyBytes(body: unknown): { bytes: Buffer | null; type?: string } | undefined {
  if (body === undefined || body === null) return { bytes: null };
  if (typeof body === 'string') return { bytes: Buffer.from(body, 'utf8'), type: 'text/plain;charset=UTF-8' };
  if (ArrayBuffer.isView(body)) return { bytes: Buffer.from(body.buffer, body.byteOffset, body.byteLength) };
  if (body instanceof ArrayBuffer) return { bytes: Buffer.from(body) };
  if (body instanceof URLSearchParams) return { bytes: Buffer.from(body.toString(), 'utf8'), type: 'application/x-www-form-urlencoded;charset=UTF-8' };
  return undefined; // a Blob, FormData or stream
}

/** Lower-cased header pairs of any HeadersInit (a Headers, pairs, or a plain object). */
function headerPairs(init: RequestInit['headers']): Iterable<readonly [string, string]> {
  if (init === undefined || init === null) return [];
  if (init instanceof Headers || Array.isArray(init)) return init as Iterable<[string, string]>;
  return Object.entries(init as Record<string, string>);
}

export function requestParts(init: RequestInit, body: { bytes: Buffer | null; type?: string }): RequestParts {
  const given = init.method ?? 'GET';
  // As fetch, with its messages: Node's http would send a TRACE, and throw on a bad token only
  // once the request is under way.
  if (!TOKEN.test(given)) throw new TypeError(`'${given}' is not a valid HTTP method.`);
  const upper = given.toUpperCase();
  if (FORBIDDEN.has(upper)) throw new TypeError(`'${given}' HTTP method is unsupported.`);
  const method = NORMALISED.has(upper) ? upper : given;
  if (body.bytes !== null && (method === 'GET' || method === 'HEAD')) throw new TypeError('Request with GET/HEAD method cannot have body.');
  const headers: OutgoingHttpHeaders = {};
  for (const pair of headerPairs(init.headers)) {
    if (pair.length !== 2) throw new TypeError('Headers: each header must be a [name, value] pair');
    const name = String(pair[0]).toLowerCase();
    const value = String(pair[1]).trim();
    const had = headers[name];
    headers[name] = had === undefined ? value : `${String(had)}, ${value}`;
  }
  for (const [name, value] of Object.entries(DEFAULTS)) headers[name] ??= value;
  if (body.type !== undefined) headers['content-type'] ??= body.type;
  if (body.bytes !== null) headers['content-length'] = body.bytes.byteLength;
  else if (method === 'POST' || method === 'PUT' || method === 'PATCH') headers['content-length'] = 0;
  return { method, headers, body: body.bytes };
}
