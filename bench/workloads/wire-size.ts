/**
 * 6. Wire size: bytes per message of a push body and of a pull answer, for typical todo
 * edits (a 40-character title or a done flag), by page size.
 */
import { benchMessage } from '../lib/messages.ts';
import { startServerProcess } from '../lib/server-process.ts';

export interface WireSizeResult {
  readonly messagesPerRequest: number;
  readonly pushBytesPerMessage: number;
  readonly pullBytesPerMessage: number;
}

export async function wireSize(): Promise<WireSizeResult[]> {
  const server = await startServerProcess();
  try {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${await server.token('wire')}` };
    const out: WireSizeResult[] = [];
    let offset = 0;
    for (const n of [1, 100, 1000]) {
      const messages = Array.from({ length: n }, (_, i) => benchMessage('writer', offset + i));
      offset += n;
      const push = JSON.stringify({ clientId: 'writer', cursor: 0, messages });
      const pushRes = await fetch(`${server.url}/v1/sync`, { method: 'POST', headers, body: push });
      await pushRes.arrayBuffer();
      const res = await fetch(`${server.url}/v1/sync`, { method: 'POST', headers, body: JSON.stringify({ clientId: 'reader', cursor: offset - n, limit: n }) });
      const pull = Buffer.byteLength(await res.text());
      out.push({
        messagesPerRequest: n,
        pushBytesPerMessage: Buffer.byteLength(push) / n,
        pullBytesPerMessage: pull / n,
      });
    }
    return out;
  } finally {
    await server.stop();
  }
}
