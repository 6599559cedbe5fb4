/**
 * 6. Wire size: bytes per change on the socket, each way, for typical todo edits (a
 * 40-character title or a done flag), by page size: a push of N messages, and a pull page of
 * N messages, through the library's own HTTP remote (`createHttpRemote`, Node's fetch) to the
 * reference server in its own process. The bytes are counted by a TCP relay between them,
 * HTTP headers included, so they are what the network carries: compressed when client and
 * server negotiate it (docs/protocol.md §5, "Compression"). The uncompressed figures (the
 * JSON bodies alone) are measured in the same run, for comparison.
 */
import { createHttpRemote, gzipRequests } from 'fieldsync';
import { countingRelay } from '../lib/byte-counter.ts';
import { benchMessage } from '../lib/messages.ts';
import { startServerProcess } from '../lib/server-process.ts';

export interface WireSizeResult {
  readonly messagesPerRequest: number;
  /** On the socket, headers included: client → server for a push, server → client for a pull. */
  readonly pushBytesPerMessage: number;
  readonly pullBytesPerMessage: number;
  /** The JSON bodies alone, uncompressed. */
  readonly pushJsonBytesPerMessage: number;
  readonly pullJsonBytesPerMessage: number;
  /** Whether the push went compressed, and the pull came compressed. */
  readonly pushCompressed: boolean;
  readonly pullCompressed: boolean;
}

export async function wireSize(sizes: readonly number[] = [1, 100, 1000]): Promise<WireSizeResult[]> {
  const server = await startServerProcess();
  const relay = await countingRelay(server.url);
  try {
    const token = await server.token('wire');
    const encodings: { request: string | null; answer: string | null }[] = [];
    const remote = createHttpRemote({
      url: relay.url,
      token,
      compress: gzipRequests,
      fetch: async (url, init) => {
        const res = await fetch(url, init);
        encodings.push({ request: (init?.headers as Record<string, string> | undefined)?.['Content-Encoding'] ?? null, answer: res.headers.get('content-encoding') });
        return res;
      },
    });
    // As every client does first: a sync, which also tells it what the server takes.
    await remote.sync({ clientId: 'writer', cursor: 0 });
    const out: WireSizeResult[] = [];
    let offset = 0;
    for (const n of sizes) {
      const messages = Array.from({ length: n }, (_, i) => benchMessage('writer', offset + i));
      offset += n;
      const pushJson = JSON.stringify({ clientId: 'writer', cursor: offset, limit: 1, messages });
      relay.reset();
      await remote.sync({ clientId: 'writer', cursor: offset, limit: 1, messages });
      const pushBytes = relay.up;
      const pushCompressed = encodings[encodings.length - 1]?.request === 'gzip';
      relay.reset();
      const page = await remote.sync({ clientId: 'reader', cursor: offset - n, limit: n });
      const pullBytes = relay.down;
      const pullCompressed = encodings[encodings.length - 1]?.answer !== null;
      if (page.messages.length !== n) throw new Error(`wire-size: pulled ${page.messages.length} messages, expected ${n}`);
      // The same page as plain JSON, for the uncompressed figure.
      const plain = await fetch(`${server.url}/v1/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'accept-encoding': 'identity' },
        body: JSON.stringify({ clientId: 'reader', cursor: offset - n, limit: n }),
      });
      const pullJson = Buffer.byteLength(await plain.text());
      out.push({
        messagesPerRequest: n,
        pushBytesPerMessage: pushBytes / n,
        pullBytesPerMessage: pullBytes / n,
        pushJsonBytesPerMessage: Buffer.byteLength(pushJson) / n,
        pullJsonBytesPerMessage: pullJson / n,
        pushCompressed,
        pullCompressed,
      });
    }
    return out;
  } finally {
    await relay.close();
    await server.stop();
  }
}
