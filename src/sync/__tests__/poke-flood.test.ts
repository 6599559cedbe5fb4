/**
 * A hostile (or buggy) server that floods the poke stream (round 65): real HTTP on loopback,
 * the client's own clock faked (setTimeout, Date), so that what the flood costs is counted in
 * sync requests per span of the client's time, not measured. The server pokes as fast as it
 * can (a bounded loop) and once more after each sync it answers, always announcing a cursor it
 * never serves. Before round 65 the client synced back to back for as long as the pokes came
 * (here: until the server's bound of 300 answers). Now at most one sync is in flight, a poke
 * not borne out slows the next ones (the `retry` backoff), and an honest poke after a quiet
 * period syncs at once.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttpRemote, createSyncClient, pokeStream } from '../index.ts';
import { memory, schema } from './harness/test-kit.ts';
import { closeHostile, hostile } from './harness/hostile-server.ts';

const NOW = new Date().toISOString();
const answer = (cursor: number): string => JSON.stringify({ accepted: 0, cursor, more: false, serverTime: NOW, epoch: 'e1', messages: [] });
const poke = (cursor: number): string => `event: poke\ndata: {"cursor":${cursor}}\n\n`;
/** Real turns of the event loop (setImmediate is not faked): the sockets' I/O goes on. */
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

afterEach(async () => {
  vi.useRealTimers();
  await closeHostile();
});

interface Flood {
  url: string;
  syncs: number;
  inFlight: number;
  maxInFlight: number;
  /** Poke after every sync answered, up to this many answers. */
  pokeAfterSync: number;
  cursor: number;
  sent: number;
  events: ServerResponse | null;
  send(text: string): void;
}

async function floodServer(): Promise<Flood> {
  const f: Flood = {
    url: '', syncs: 0, inFlight: 0, maxInFlight: 0, pokeAfterSync: 0, cursor: 0, sent: 0, events: null,
    send(text) {
      f.sent += Buffer.byteLength(text);
      f.events?.write(text);
    },
  };
  hostile.server = createServer((req, res) => {
    if (req.url?.startsWith('/v1/events')) {
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8' });
      f.events = res;
      f.send(': connected\n\n');
      return;
    }
    f.syncs++;
    f.inFlight++;
    f.maxInFlight = Math.max(f.maxInFlight, f.inFlight);
    req.resume();
    req.on('end', () => {
      f.inFlight--;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(answer(f.cursor));
      if (f.syncs <= f.pokeAfterSync) f.send(poke(1_000_000));
    });
  });
  await new Promise<void>((r) => hostile.server?.listen(0, '127.0.0.1', r));
  f.url = `http://127.0.0.1:${(hostile.server?.address() as AddressInfo).port}`;
  return f;
}

describe('a server that floods the poke stream', () => {
  it('gets a few syncs for a flood, then syncs at the retry backoff\'s pace; an honest poke after a quiet period syncs at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: Date.UTC(2026, 11, 7, 12, 0, 0) });
    const f = await floodServer();
    let received = 0;
    // The stream's bytes as the client reads them: the case knows when the flood has been read.
    const fetchCounted = async (url: string, init?: RequestInit): Promise<Response> => {
      const r = await fetch(url, init);
      if (!url.includes('/v1/events') || !r.body) return r;
      const counted = r.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, c) => {
          received += chunk.byteLength;
          c.enqueue(chunk);
        },
      }));
      return new Response(counted, { status: r.status, headers: r.headers });
    };
    const client = await createSyncClient({
      schema, store: memory(), random: () => 0.5, intervalMs: 0, retry: { initialMs: 1000, maxMs: 8000 },
      remote: createHttpRemote({ url: f.url, token: 't', fetch: fetchCounted, pokes: pokeStream() }),
    });
    hostile.clients.push(client);
    /** Until the client has read all that was sent and has no sync running (bounded). */
    const settle = async (): Promise<void> => {
      let quiet = 0;
      for (let i = 0; i < 200_000 && quiet < 200; i++) {
        await turn();
        quiet = received === f.sent && f.events !== null && f.inFlight === 0 && client.status.state !== 'syncing' ? quiet + 1 : 0;
      }
      expect(quiet, 'the client settled').toBe(200);
    };

    await settle();
    const start = f.syncs; // on start, and on the stream's opening
    expect(start).toBeGreaterThanOrEqual(1);

    // The flood: 1,000 pokes as fast as the server can write them, and one after each answer.
    f.pokeAfterSync = f.syncs + 300;
    for (let i = 0; i < 1000; i++) {
      f.send(poke(1_000_000));
      if (i % 50 === 0) await turn();
    }
    await settle();
    // The client's clock has not moved: the first poke synced, and that was all.
    expect(f.syncs - start).toBe(1);
    expect(f.maxInFlight).toBe(1);

    // A minute of the client's time, the server poking after each answer: syncs at the retry
    // backoff's pace (0.75 s, 1.5 s, 3 s, then 6 s each at random 0.5), not a request per poke.
    const before = f.syncs;
    for (let s = 0; s < 60; s++) {
      await vi.advanceTimersByTimeAsync(1000);
      await settle();
    }
    const paced = f.syncs - before;
    expect(paced).toBeGreaterThanOrEqual(5);
    expect(paced).toBeLessThanOrEqual(14);
    expect(f.maxInFlight).toBe(1);

    // Quiet (the server stops poking), then an honest poke: it syncs at once, the clock still.
    f.pokeAfterSync = 0;
    await vi.advanceTimersByTimeAsync(60_000);
    await settle();
    const quietSyncs = f.syncs;
    f.cursor = 5;
    f.send(poke(5));
    await settle();
    expect(f.syncs).toBe(quietSyncs + 1);
    expect(client.status.cursor).toBe(5);
  }, 60_000);
});

describe('a server whose event stream never ends its line', () => {
  it('is read no further than the bound: the stream reports a bad answer, its reconnection waiting out the backoff', async () => {
    let written = 0;
    let connections = 0;
    hostile.server = createServer((_req, res) => {
      connections++;
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      const piece = 'x'.repeat(16 * 1024);
      // Bounded: 64 MiB at most, were the client to read it all.
      const pump = (): void => {
        while (!res.destroyed && written < 64 * 1024 * 1024) {
          written += piece.length;
          if (!res.write(piece)) return void res.once('drain', pump);
        }
      };
      pump();
    });
    await new Promise<void>((r) => hostile.server?.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hostile.server?.address() as AddressInfo).port}`;
    const remote = createHttpRemote({ url, token: 't', pokes: pokeStream({ reconnect: { initialMs: 60_000, maxMs: 60_000 } }) });
    const errors: { code: string; message: string }[] = [];
    const stop = remote.subscribe?.('c1', { onPoke: () => {}, onError: (e) => void errors.push({ code: e.code, message: e.message }) });
    for (let i = 0; i < 400 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    stop?.();
    expect(errors[0]).toEqual({ code: 'invalid_response', message: expect.stringContaining('a line of more than 65536 characters') });
    expect(connections).toBe(1);
    // What the socket's buffers took past the bound, not the 64 MiB.
    expect(written).toBeLessThan(16 * 1024 * 1024);
  }, 30_000);
});
