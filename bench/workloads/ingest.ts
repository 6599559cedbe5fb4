/**
 * 3. Server ingest: pushes of 1,000 messages over HTTP on loopback into the reference server
 * (its own process), from 4 concurrent clients. Bodies are serialized before the clock
 * starts, so the figure is the server's: parse, validate, store durably, answer.
 */
import { benchMessage } from '../lib/messages.ts';
import { startServerProcess } from '../lib/server-process.ts';

export interface IngestResult {
  readonly store: string;
  readonly messages: number;
  readonly seconds: number;
  readonly messagesPerSecond: number;
}

export async function ingest(options: { store: 'sqlite' | 'postgres'; pushes: number; env?: Record<string, string> }): Promise<IngestResult> {
  const server = await startServerProcess(options.env ?? {});
  try {
    const token = await server.token('bench');
    const clients = 4;
    const batch = 1000;
    const perClient = Math.ceil(options.pushes / clients);
    const bodies = Array.from({ length: clients }, (_, c) => Array.from({ length: perClient }, (_, p) => JSON.stringify({
      clientId: `ingest${c}`,
      cursor: 0,
      limit: 1,
      messages: Array.from({ length: batch }, (_, i) => benchMessage(`ingest${c}`, p * batch + i)),
    })));
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const t0 = performance.now();
    await Promise.all(bodies.map(async (list) => {
      for (const body of list) {
        const res = await fetch(`${server.url}/v1/sync`, { method: 'POST', headers, body });
        if (res.status !== 200) throw new Error(`ingest: HTTP ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      }
    }));
    const seconds = (performance.now() - t0) / 1000;
    const messages = clients * perClient * batch;
    return { store: options.store, messages, seconds, messagesPerSecond: messages / seconds };
  } finally {
    await server.stop();
  }
}
