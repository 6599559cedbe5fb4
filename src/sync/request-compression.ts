/**
 * Compressed sync requests (docs/protocol.md §5, "Compression"), with the runtime's own
 * `CompressionStream` and nothing else: the core has no dependencies. Opt-in, so that an app
 * whose requests are small does not ship it: `createHttpRemote({ ..., compress: gzipRequests })`.
 *
 * A client compresses a request body only when the server has said it takes compressed
 * bodies (`Accept-Encoding: gzip` on its sync answers, RFC 7694), only where the runtime
 * has `CompressionStream` (browsers, Node, Electron, Deno, Bun; not React Native), and only
 * when the body is large enough to gain. Anywhere else the body goes plain, as to any
 * server before compression existed. Answers need nothing here: `fetch` asks for them
 * compressed and decompresses them itself.
 */

/** A sync answer, its body read. */
export interface Answer {
  readonly response: Response;
  readonly text: string;
  /** A 200 in lines (answer-lines.ts): the JSON value of each line, and `text` is empty. */
  readonly lines?: readonly unknown[];
}

/** Sends one sync request's body: JSON text, or bytes in the named `Content-Encoding`. */
export type SendBody = (body: string | Uint8Array<ArrayBuffer>, encoding?: string) => Promise<Answer>;

/** Sends one request's JSON, encoded or not, through the remote's `send`. */
export type EncodeRequest = (json: string, send: SendBody) => Promise<Answer>;

/** A request compression: called once per remote, for the state it learns about that server. */
export type RequestCompression = () => EncodeRequest;

/**
 * Gzip for request bodies of 1 KiB and more, once the server's last answer advertised that
 * it takes them (its `Accept-Encoding`), where the runtime has `CompressionStream`.
 */
export const gzipRequests: RequestCompression = () => {
  if (!canCompress()) return (json, send) => send(json);
  // Learned from the server's last sync answer: plain until it says so.
  let serverTakesGzip = false;
  const learn = (answer: Answer): Answer => {
    serverTakesGzip = acceptsGzip(answer.response.headers.get('accept-encoding'));
    return answer;
  };
  return async (json, send) => {
    const gzip = serverTakesGzip && json.length >= COMPRESS_REQUEST_MIN_BYTES;
    const answer = learn(await send(gzip ? await gzipText(json) : json, gzip ? 'gzip' : undefined));
    const status = answer.response.status;
    // A server that no longer takes gzip (replaced by another at the same address) answers
    // 415, or, predating compression, reads the gzip as bad JSON (400) and advertises
    // nothing: the same request again, plain.
    return gzip && (status === 415 || (status === 400 && !serverTakesGzip)) ? learn(await send(json)) : answer;
  };
};

/**
 * Bodies shorter than this go plain (a pull request is about 80 bytes). Counted in the JSON's
 * characters, which is free and never more than its UTF-8 bytes: a body of mostly non-ASCII text
 * may go plain up to 3 KiB, a cost too small to be worth encoding it twice to count.
 */
export const COMPRESS_REQUEST_MIN_BYTES = 1024;

/** Whether this runtime can gzip a body. */
export function canCompress(): boolean {
  return typeof CompressionStream === 'function' && typeof Response === 'function';
}

/** Whether an answer's `Accept-Encoding` header says request bodies may be gzip. */
export function acceptsGzip(header: string | null): boolean {
  if (header === null) return false;
  return header.split(',').some((part) => {
    const [name, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return name === 'gzip' && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/** The gzip bytes of `text` (UTF-8). */
export async function gzipText(text: string): Promise<Uint8Array<ArrayBuffer>> {
  if (typeof CompressionStream !== 'function' || typeof Response !== 'function') throw new TypeError('this runtime has no CompressionStream');
  // `as never`: the DOM's typings and the core's own (types/standard-globals.d.ts) describe
  // the stream's element types differently; at run time it is bytes in, bytes out.
  const stream = (new Response(text).body as ReadableStream<Uint8Array>).pipeThrough<Uint8Array>(new CompressionStream('gzip') as never);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
