/**
 * Compressed sync requests (docs/protocol.md §5, "Compression"), with the runtime's own
 * `CompressionStream` and nothing else: the core has no dependencies.
 *
 * A client compresses a request body only when the server has said it takes compressed
 * bodies (`Accept-Encoding: gzip` on its sync answers, RFC 7694), only where the runtime
 * has `CompressionStream` (browsers, Node, Electron, Deno, Bun; not React Native), and only
 * when the body is large enough to gain. Anywhere else the body goes plain, as to any
 * server before compression existed. Answers need nothing here: `fetch` asks for them
 * compressed and decompresses them itself.
 */

/** Bodies shorter than this go plain (a pull request is about 80 bytes). */
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
