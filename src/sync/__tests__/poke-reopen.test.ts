/**
 * A hostile (or broken) server that opens the poke stream and closes it at once, over and over
 * (round 66, attacker review): each opening asks for a sync (the client may have missed pokes
 * while the stream was down), so the question is whether the reopenings, and with them the
 * syncs, are bounded by the stream's reconnection backoff, or come as fast as the server
 * closes. Real HTTP on loopback; the client's clock faked (setTimeout, Date), so the cost is
 * counted in openings and sync requests per span of the client's time, not measured.
 */
import { expect, it, vi } from 'vitest';
import { usePokeReopen } from './harness/poke-reopen.ts';

const start = usePokeReopen();

it('a stream closed as soon as it opens is reopened, and synced for, no faster than the reconnection backoff', async () => {
  const { counts: s, settle } = await start({ closeAfterMs: 0, quietTurns: 100, intervalMs: 0, pokes: { reconnect: { initialMs: 500, maxMs: 16_000 } } });
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
