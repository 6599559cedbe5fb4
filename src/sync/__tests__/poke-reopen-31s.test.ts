/**
 * A hostile (or broken) server that holds each poke stream open for 31 s and then closes it
 * (round 67, attacker review): a stream up for more than 30 s resets the reconnection backoff,
 * so it is reopened at once, and each opening asks for a sync (pokes may have been missed
 * while it was down). The question is what that costs: one sync per 31 s, against the default
 * interval sync's one per 30 s. Real HTTP on loopback; the client's clock faked (setTimeout,
 * Date), the cost counted in openings and syncs per span of the client's time.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it, vi } from 'vitest';
import { createHttpRemote, createSyncClient, pokeStream } from '../index.ts';
import { memory, schema } from './harness/test-kit.ts';
import { closeHostile, hostile } from './harness/hostile-server.ts';

const NOW = new Date().toISOString();
const answer = JSON.stringify({ accepted: 0, cursor: 0, more: false, serverTime: NOW, epoch: 'e1', messages: [] });
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

afterEach(async () => {
  vi.useRealTimers();
  await closeHostile();
});

it.each([['no interval syncs (intervalMs: 0)', 0], ['the default interval (30 s)', undefined]] as const)('a stream closed after 31 s, over and over, with %s: an opening per 31 s, one sync each, and the interval\'s syncs', async (_name, intervalMs) => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: Date.UTC(2026, 11, 7, 12, 0, 0) });
  const s = { opens: 0, syncs: 0, inFlight: 0 };
  hostile.server = createServer((req, res) => {
    if (req.url?.startsWith('/v1/events')) {
      s.opens++;
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8' }).write(': connected\n\n');
      setTimeout(() => res.end(), 31_000);
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
    schema, store: memory(), random: () => 0.5, ...(intervalMs === undefined ? {} : { intervalMs }), retry: { initialMs: 1000, maxMs: 8000 },
    remote: createHttpRemote({ url, token: 't', pokes: pokeStream() }),
  });
  hostile.clients.push(client);
  const settle = async (): Promise<void> => {
    let quiet = 0;
    for (let i = 0; i < 100_000 && quiet < 50; i++) {
      await turn();
      quiet = s.inFlight === 0 && client.status.state !== 'syncing' ? quiet + 1 : 0;
    }
    expect(quiet, 'the client settled').toBe(50);
  };
  await settle();
  const first = { opens: s.opens, syncs: s.syncs };
  // Ten minutes of the client's time, a second at a time.
  for (let t = 0; t < 600; t++) {
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
  }
  const opens = s.opens - first.opens;
  const syncs = s.syncs - first.syncs;
  // Measured (round 67): 19 openings, 19 syncs without interval syncs; 18 openings and 38
  // syncs with the default interval (an idle client's 20 interval syncs, and one per opening).
  // Kept, not fixed (docs/security.md): one sync per 31 s is the default interval's pace, and
  // a server can ask as much with pokes it bears out (one message each), which realtime syncs for.
  expect(opens, 'openings in ten minutes: one per 31 s').toBeLessThanOrEqual(20);
  expect(opens, 'openings in ten minutes: the stream is reopened at once').toBeGreaterThanOrEqual(15);
  expect(syncs, 'syncs: one per opening, and the interval\'s').toBeLessThanOrEqual(opens + (intervalMs === 0 ? 0 : 20));
}, 120_000);
