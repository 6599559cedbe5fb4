/**
 * A hostile (or broken) poke server that closes each stream `closeAfterMs` after opening it,
 * and a client on it whose clock is faked (setTimeout, Date), for poke-reopen.test.ts (closed at
 * once) and poke-reopen-31s.test.ts (closed after 31 s): the cost of the reopenings is counted
 * in openings and sync requests per span of the client's time, not measured. Real HTTP on
 * loopback; the server's close runs on the faked clock too. Round 68: the two files wrote all
 * of this out each.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, vi } from 'vitest';
import { createHttpRemote, createSyncClient, pokeStream, type SyncClient } from '../../index.ts';
import type { PokeStreamOptions } from '../../poke-stream.ts';
import { memory, schema } from './test-kit.ts';
import { closeHostile, hostile } from './hostile-server.ts';

const NOW = new Date().toISOString();
const answer = JSON.stringify({ accepted: 0, cursor: 0, more: false, serverTime: NOW, epoch: 'e1', messages: [] });
/** Real turns of the event loop (setImmediate is not faked): the sockets' I/O goes on. */
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

export interface ReopenCounts {
  /** Poke streams opened, sync requests received, and sync requests not yet answered. */
  opens: number;
  syncs: number;
  inFlight: number;
}

export interface ReopenOptions {
  /** When the server closes a stream after opening it: 0, at once (with its first comment). */
  readonly closeAfterMs: number;
  /** How many quiet turns of the loop in a row make the client settled. */
  readonly quietTurns: number;
  /** The client's `intervalMs` (left out: the default). */
  readonly intervalMs?: number;
  /** The poke stream's options. */
  readonly pokes?: PokeStreamOptions;
}

export interface ReopenRig {
  readonly counts: ReopenCounts;
  readonly client: SyncClient;
  /** Until no request is in flight and the client is not syncing, for `quietTurns` turns (bounded). */
  settle(): Promise<void>;
}

/** Registers the suite's `afterEach` (real timers back, the server and clients closed); returns the rig's start. */
export function usePokeReopen(): (options: ReopenOptions) => Promise<ReopenRig> {
  afterEach(async () => {
    vi.useRealTimers();
    await closeHostile();
  });
  return async (options) => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: Date.UTC(2026, 11, 7, 12, 0, 0) });
    const counts: ReopenCounts = { opens: 0, syncs: 0, inFlight: 0 };
    hostile.server = createServer((req, res) => {
      if (req.url?.startsWith('/v1/events')) {
        counts.opens++;
        res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8' });
        if (options.closeAfterMs === 0) {
          res.end(': connected\n\n');
        } else {
          res.write(': connected\n\n');
          setTimeout(() => res.end(), options.closeAfterMs);
        }
        return;
      }
      counts.syncs++;
      counts.inFlight++;
      req.resume();
      req.on('end', () => {
        counts.inFlight--;
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(answer);
      });
    });
    await new Promise<void>((r) => hostile.server?.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hostile.server.address() as AddressInfo).port}`;
    const client = await createSyncClient({
      schema, store: memory(), random: () => 0.5, ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }), retry: { initialMs: 1000, maxMs: 8000 },
      remote: createHttpRemote({ url, token: 't', pokes: pokeStream(options.pokes) }),
    });
    hostile.clients.push(client);
    const settle = async (): Promise<void> => {
      let quiet = 0;
      for (let i = 0; i < 100_000 && quiet < options.quietTurns; i++) {
        await turn();
        quiet = counts.inFlight === 0 && client.status.state !== 'syncing' ? quiet + 1 : 0;
      }
      expect(quiet, 'the client settled').toBe(options.quietTurns);
    };
    return { counts, client, settle };
  };
}
