/**
 * 8. Responsiveness under max-size pushes (issue 11 item 3): many clients push bodies just
 * under the server's body limit at once, while a prober asks `/healthz` and a small client
 * syncs, each every 25 ms. The figures are the prober's and the small client's latencies
 * (p50, p99, max) under that load, against the same probes on the idle server in the same
 * run; and how the pushes ended (all 200, or some 429 `rate_limited` when the server sheds).
 *
 * The prober runs in a worker thread, so that the load generator's own event loop (busy
 * writing megabytes) does not delay the probes it measures.
 */
import { Worker } from 'node:worker_threads';
import { DEFAULT_BODY_LIMIT_BYTES, formatHlc } from 'fieldsync/server';
import { startServerProcess } from '../lib/server-process.ts';
import { summarize } from '../lib/stats.ts';

export interface ProbeFigures {
  readonly n: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface BigPushesResult {
  readonly pushes: number;
  readonly bodyBytes: number;
  readonly seconds: number;
  readonly statuses: Record<string, number>;
  readonly idle: { readonly healthz: ProbeFigures; readonly smallSync: ProbeFigures };
  readonly loaded: { readonly healthz: ProbeFigures; readonly smallSync: ProbeFigures };
}

/** A push body of `clientId` just under `limit` bytes: 5,000 messages with long titles. */
export function maxSizeBody(clientId: string, seq: number, limit = DEFAULT_BODY_LIMIT_BYTES): Buffer {
  const count = 5000;
  const base = Date.UTC(2026, 0, 1) + seq * 10_000;
  const make = (pad: number): string => JSON.stringify({
    clientId,
    cursor: 0,
    limit: 1,
    messages: Array.from({ length: count }, (_, i) => ({
      hlc: formatHlc({ millis: base + Math.floor(i / 4), counter: i % 4, clientId }),
      table: 'notes',
      row: `note-${seq}-${i}`,
      column: 'body',
      value: `${i} ${'x'.repeat(pad)}`,
    })),
  });
  const overhead = Buffer.byteLength(make(0));
  const pad = Math.max(0, Math.floor((limit - 1024 - overhead) / count));
  return Buffer.from(make(pad));
}

const PROBER = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, token, everyMs } = workerData;
const healthz = [];
const small = [];
let stop = false;
parentPort.on('message', () => { stop = true; });
const body = JSON.stringify({ clientId: 'prober', cursor: 0, limit: 1 });
async function loop(list, fn) {
  while (!stop) {
    const t0 = performance.now();
    try { await fn(); list.push(performance.now() - t0); } catch { list.push(Infinity); }
    const left = everyMs - (performance.now() - t0);
    if (left > 0) await new Promise((r) => setTimeout(r, left));
  }
}
Promise.all([
  loop(healthz, async () => { const r = await fetch(url + '/healthz'); await r.arrayBuffer(); }),
  loop(small, async () => {
    const r = await fetch(url + '/v1/sync', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token }, body });
    await r.arrayBuffer();
  }),
]).then(() => parentPort.postMessage({ healthz, small }));
`;

async function probe(url: string, token: string, during: () => Promise<void>): Promise<{ healthz: ProbeFigures; smallSync: ProbeFigures }> {
  const worker = new Worker(PROBER, { eval: true, workerData: { url, token, everyMs: 25 } });
  const done = new Promise<{ healthz: number[]; small: number[] }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  try {
    await during();
  } finally {
    worker.postMessage('stop');
  }
  const { healthz, small } = await done;
  await worker.terminate();
  const figures = (all: number[]): ProbeFigures => {
    const samples = all.slice(5); // the first probes include connecting and warming up
    const s = summarize(samples);
    return { n: s.n, p50Ms: s.median, p99Ms: s.p99, maxMs: Math.max(...samples) };
  };
  return { healthz: figures(healthz), smallSync: figures(small) };
}

export async function bigPushes(options: { pushes: number; users?: number; env?: Record<string, string> }): Promise<BigPushesResult> {
  const server = await startServerProcess({ FIELDSYNC_MAX_DRIFT: '7d', ...options.env });
  const load = new Worker(new URL('../lib/push-load-worker.ts', import.meta.url), {
    workerData: {
      url: server.url,
      tokens: await Promise.all(Array.from({ length: options.users ?? 8 }, (_, u) => server.token(`pusher-${u}`))),
      pushes: options.pushes,
    },
  });
  try {
    const proberToken = await server.token('prober');
    const ready = await new Promise<{ bodyBytes: number }>((resolve, reject) => {
      load.once('message', resolve);
      load.once('error', reject);
    });
    const idle = await probe(server.url, proberToken, () => new Promise((r) => setTimeout(r, 2000)));
    let done: { statuses: Record<string, number>; seconds: number } = { statuses: {}, seconds: 0 };
    const loaded = await probe(server.url, proberToken, async () => {
      await new Promise((r) => setTimeout(r, 300));
      done = await new Promise((resolve, reject) => {
        load.once('message', resolve);
        load.once('error', reject);
        load.postMessage('go');
      });
    });
    return { pushes: options.pushes, bodyBytes: ready.bodyBytes, seconds: done.seconds, statuses: done.statuses, idle, loaded };
  } finally {
    await load.terminate();
    await server.stop();
  }
}
