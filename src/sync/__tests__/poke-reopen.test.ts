/**
 * A hostile (or broken) server that opens the poke stream and closes it at once, over and over
 * (round 66, attacker review): each opening asks for a sync (the client may have missed pokes
 * while the stream was down), so the question is whether the reopenings, and with them the
 * syncs, are bounded by the stream's reconnection backoff, or come as fast as the server
 * closes. Real HTTP on loopback; the client's clock faked (setTimeout, Date), so the cost is
 * counted in openings and sync requests per span of the client's time, not measured.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it, vi } from 'vitest';
import { createHttpRemote, createSyncClient, pokeStream } from '../index.ts';
import { memory, schema } from './harness/test-kit.ts';
import { closeHostile, hostile } from './harness/hostile-server.ts';

const NOW = new Date().toISOString();
const answer = JSON.stringify({ accepted: 0, cursor: 0, more: false, serverTime: NOW, epoch: 'e1', messages: [] });
/** Real turns of the event loop (setImmediate is not faked): the sockets' I/O goes on. */
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

afterEach(async () => {
  vi.useRealTimers();
  await closeHostile();
});

it('a stream closed as soon as it opens is reopened, and synced for, no faster than the reconnection backoff', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: Date.UTC(2026, 11, 7, 12, 0, 0) });
  const s = { opens: 0, syncs: 0, inFlight: 0 };
  hostile.server = createServer((req, res) => {
    if (req.url?.startsWith('/v1/events')) {
      s.opens++;
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8' }).end(': connected\n\n');
      return;
    }
    s.syncs++;
    s.inFlight++;
    req.resume();
    req.on('end', () => {
      s.inFlight--;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(answer);
    });
  });
  await new Promise<void>((r) => hostile.server?.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(hostile.server.address() as AddressInfo).port}`;
  const client = await createSyncClient({
    schema, store: memory(), random: () => 0.5, intervalMs: 0, retry: { initialMs: 1000, maxMs: 8000 },
    remote: createHttpRemote({ url, token: 't', pokes: pokeStream({ reconnect: { initialMs: 500, maxMs: 16_000 } }) }),
  });
  hostile.clients.push(client);
  /** Until no request is in flight and the client is not syncing, for many turns (bounded). */
  const settle = async (): Promise<void> => {
    let quiet = 0;
    for (let i = 0; i < 100_000 && quiet < 100; i++) {
      await turn();
      quiet = s.inFlight === 0 && client.status.state !== 'syncing' ? quiet + 1 : 0;
    }
    expect(quiet, 'the client settled').toBe(100);
  };
  await settle();
  const first = { opens: s.opens, syncs: s.syncs };
  // The client's clock stands still: one opening, however fast the server closes it.
  expect(first.opens).toBe(1);

  // Two minutes of the client's time, a second at a time.
  for (let t = 0; t < 120; t++) {
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
  }
  // The reconnection backoff (from 0.5 s, doubling to 16 s, each delay at least half its
  // step): at most 0.25 + 0.5 + 1 + 2 + 4 + 8 s, then one every 8 s or more: 1 + 6 + 12.
  const opens = s.opens - first.opens;
  const syncs = s.syncs - first.syncs;
  // Measured (round 66): 13 openings, 13 syncs, one per opening, none of them paced as pokes
  // are: a reopening costs what an interval sync costs, at the stream's backoff.
  expect(opens, 'openings in two minutes').toBeLessThanOrEqual(19);
  expect(opens, 'openings in two minutes').toBeGreaterThanOrEqual(6);
  expect(syncs, 'syncs: at most one per opening').toBeLessThanOrEqual(opens);
}, 60_000);
