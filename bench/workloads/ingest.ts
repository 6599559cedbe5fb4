/**
 * 3. Server ingest: pushes of 1,000 messages over HTTP on loopback into the reference server
 * (its own process), from 8 concurrent clients. Bodies are serialized before the clock
 * starts, so the figure is the server's: parse, validate, store durably, answer. The
 * server's CPU time (all its threads) over the wall time says how many cores it kept busy;
 * the benchmark's own CPU time (the 8 clients) is reported beside it, since on a small
 * machine the clients compete with the server for the same cores. So is the CPU time of the
 * SQLite store's thread, the one writer every push waits for: how close it was to a core of
 * its own says whether it, or something else, held the rate.
 */
import { cpus } from 'node:os';
import { measure, processCpuSeconds, threadCpuSeconds } from '../lib/cpu.ts';
import { benchMessage } from '../lib/messages.ts';
import { startServerProcess } from '../lib/server-process.ts';
import { THREAD_NAMES } from '../../server/thread-names.ts';

export interface IngestResult {
  readonly store: string;
  readonly clients: number;
  readonly messages: number;
  readonly seconds: number;
  readonly messagesPerSecond: number;
  /** The server process's CPU seconds (every thread) during the run, or null where unknown. */
  readonly serverCpuSeconds: number | null;
  /**
   * The CPU seconds of the server's SQLite store thread (the one writer) during the run; null
   * where unknown, or where there is none (PostgreSQL).
   */
  readonly writerCpuSeconds: number | null;
  /** The benchmark process's own CPU seconds (the clients). */
  readonly clientCpuSeconds: number;
  readonly cores: number;
}

export async function ingest(options: { store: 'sqlite' | 'postgres'; pushes: number; clients?: number; env?: Record<string, string> }): Promise<IngestResult> {
  const server = await startServerProcess(options.env ?? {});
  try {
    const token = await server.token('bench');
    const clients = options.clients ?? 8;
    const batch = 1000;
    const perClient = Math.ceil(options.pushes / clients);
    const bodies = Array.from({ length: clients }, (_, c) => Array.from({ length: perClient }, (_, p) => JSON.stringify({
      clientId: `ingest${c}`,
      cursor: 0,
      limit: 1,
      messages: Array.from({ length: batch }, (_, i) => benchMessage(`ingest${c}`, p * batch + i)),
    })));
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    // The benchmark's own setup, before the clock: Node loads and compiles its fetch (undici)
    // at the process's first call, ~90-100 ms of the client's CPU (measured here, round 26)
    // during which the server, not yet sent anything, sat idle inside the window. One GET
    // of /healthz does it; the pushes, the server's work and its warm-up are all still timed.
    await (await fetch(`${server.url}/healthz`)).arrayBuffer();
    const writerCpu = (): number | undefined => threadCpuSeconds(server.child.pid)?.get(THREAD_NAMES.store);
    const writerCpu0 = writerCpu();
    const serverCpu0 = processCpuSeconds(server.child.pid);
    const { cpuSeconds: clientCpuSeconds, wallSeconds: seconds } = await measure(() => Promise.all(bodies.map(async (list) => {
      for (const body of list) {
        const res = await fetch(`${server.url}/v1/sync`, { method: 'POST', headers, body });
        if (res.status !== 200) throw new Error(`ingest: HTTP ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      }
    })));
    const serverCpu1 = processCpuSeconds(server.child.pid);
    const writerCpu1 = writerCpu();
    const messages = clients * perClient * batch;
    return {
      store: options.store,
      clients,
      messages,
      seconds,
      messagesPerSecond: messages / seconds,
      serverCpuSeconds: serverCpu0 === null || serverCpu1 === null ? null : serverCpu1 - serverCpu0,
      writerCpuSeconds: writerCpu0 === undefined || writerCpu1 === undefined ? null : writerCpu1 - writerCpu0,
      clientCpuSeconds,
      cores: cpus().length,
    };
  } finally {
    await server.stop();
  }
}
