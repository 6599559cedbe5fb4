/**
 * HTTP compression of `POST /v1/sync` (docs/protocol.md §5, "Compression"), both ways:
 *
 * - **Answers** are compressed when the request's `Accept-Encoding` allows gzip (or deflate):
 *   browsers, Node's fetch and React Native's decompress them natively. A pull page of 1,000
 *   typical changes shrinks about tenfold.
 * - **Request bodies** may be compressed. The server says so in every sync answer's
 *   `Accept-Encoding` header (RFC 7694); a client compresses only after it has seen it, so
 *   an older server (no header) only ever gets plain JSON.
 * - **Zip bombs.** A compressed body's size says nothing of what it inflates to. It is
 *   inflated with a bound on the output (zlib stops as soon as it passes the body limit),
 *   so a few kilobytes that would inflate to gigabytes cost the server at most one body
 *   limit of memory, and get the same readable 413 as a plain body over the limit. The
 *   stall and rate limits of body-reader.ts apply to the compressed bytes as they arrive.
 *
 * zlib's asynchronous functions run in libuv's thread pool: neither compressing answers nor
 * inflating bodies holds up the event loop.
 */
import { promisify } from 'node:util';
import { constants, deflate, gzip, gunzip, inflate } from 'node:zlib';

/** The codings a request body may have, in the server's `Accept-Encoding` answer header. */
export const REQUEST_CODINGS = 'gzip, deflate';

/** Answers shorter than this go plain: a gzip frame costs 18 bytes, and small ones barely shrink. */
export const COMPRESS_MIN_BYTES = 1024;

export type Coding = 'gzip' | 'deflate';

/** A body the server cannot take as it is encoded (415), or that is not what it claims (400/413). */
export class EncodingError extends Error {
  readonly status: 400 | 413 | 415;
  constructor(status: 400 | 413 | 415, message: string) {
    super(message);
    this.name = 'EncodingError';
    this.status = status;
  }
}

/**
 * The coding of a request body from its `Content-Encoding`: null for none (or `identity`).
 * Throws EncodingError 415 for a coding the server does not know, or for several stacked.
 */
export function requestCoding(header: string | undefined): Coding | null {
  if (header === undefined) return null;
  const codings = header.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return null;
  if (codings.length === 1) {
    const c = codings[0] as string;
    if (c === 'gzip' || c === 'x-gzip') return 'gzip';
    if (c === 'deflate') return 'deflate';
  }
  throw new EncodingError(415, `the body's Content-Encoding "${header.slice(0, 64)}" is not supported; use one of: ${REQUEST_CODINGS}, or none`);
}

/** What zlib gives with `info: true`: the output, and the engine, which counts the input it read. */
interface Inflated {
  readonly buffer: Buffer;
  readonly engine: { readonly bytesWritten: number };
}
type InflateWithInfo = (body: Buffer, options: { info: true; maxOutputLength: number }) => Promise<Inflated>;
const gunzipAsync = promisify(gunzip) as unknown as InflateWithInfo;
const inflateAsync = promisify(inflate) as unknown as InflateWithInfo;

/**
 * Inflates a request body, to at most `maxBytes`: past that, zlib stops and this rejects with
 * EncodingError 413 without inflating the rest. A body that is not valid `coding`: 400. So are
 * bytes after the end of the compressed data, which zlib stops at and leaves unread: a body
 * with something after its stream (a second deflate stream, JSON appended) was stored as its
 * first part alone. Gzip members one after another are one body, as RFC 1952 says, and zlib
 * reads them all.
 */
export async function inflateBody(body: Buffer, coding: Coding, maxBytes: number): Promise<Buffer> {
  const options = { info: true as const, maxOutputLength: Math.max(1, maxBytes) };
  let inflated: Inflated;
  try {
    inflated = await (coding === 'gzip' ? gunzipAsync(body, options) : inflateAsync(body, options));
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new EncodingError(413, 'the request body is over the server\'s limit once decompressed');
    }
    throw new EncodingError(400, `the request body is not valid ${coding} data (${(err as Error).message})`);
  }
  if (inflated.engine.bytesWritten !== body.length) {
    throw new EncodingError(400, `the request body is not valid ${coding} data (bytes after the end of the compressed data)`);
  }
  return inflated.buffer;
}

/**
 * The coding to answer with, from a request's `Accept-Encoding` (RFC 9110 §12.5.3): gzip or
 * deflate, whichever the client weighs more (gzip on a tie), when either is acceptable
 * (named with q > 0, or covered by `*`); null for a plain answer.
 */
export function answerCoding(header: string | undefined): Coding | null {
  if (header === undefined) return null;
  const q: Record<string, number> = {};
  for (const part of header.split(',')) {
    const [name, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!name) continue;
    const qParam = params.find((p) => p.startsWith('q='));
    const weight = qParam === undefined ? 1 : Number(qParam.slice(2));
    q[name] = Number.isFinite(weight) ? weight : 0;
  }
  const weigh = (c: string): number => q[c] ?? q['*'] ?? 0;
  const g = weigh('gzip');
  const d = weigh('deflate');
  if (g <= 0 && d <= 0) return null;
  return g >= d ? 'gzip' : 'deflate';
}

const gzipAsync = promisify(gzip);
const deflateAsync = promisify(deflate);
// Level 5: nearly all of level 6's (the default) size on JSON pages, noticeably faster.
const ZLIB_OPTIONS = { level: 5, memLevel: 9, strategy: constants.Z_DEFAULT_STRATEGY };

/** Compresses an answer body. */
export function compress(body: Buffer, coding: Coding): Promise<Buffer> {
  return coding === 'gzip' ? gzipAsync(body, ZLIB_OPTIONS) : deflateAsync(body, ZLIB_OPTIONS);
}
