/**
 * Delays, as users and servers give them. A timer fires at once when asked to wait longer
 * than 2^31 - 1 ms (about 24.8 days), in Node and in browsers, so an unbounded delay became
 * its opposite: `timeoutMs: Infinity` aborted every sync after a millisecond, and a 429 whose
 * `Retry-After` was a year had the client retry every millisecond, hundreds of requests a
 * second against a server that had asked it to wait. Each delay option is now a number of
 * ms within the timer's range (a typed error names the option otherwise), and a server's
 * wait is held to that range.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpRemote, createSyncClient, pokeStream } from '../index.ts';
import { MAX_DELAY_MS } from '../backoff.ts';
import { memory, schema } from './harness/test-kit.ts';
import { refusal } from '../../../test-support/refusal.ts';

const range = (name: string, min: number): string => `${name} must be a number of ms from ${min} to ${MAX_DELAY_MS} (about 24.8 days)`;
const BAD_DELAYS: readonly unknown[] = [-1, Number.NaN, Infinity, MAX_DELAY_MS + 1, 1e10, '20', null];


describe('delay options: a number of ms the timer can wait, or a typed error naming the option', () => {
  const client = (options: object) => createSyncClient({ schema, store: memory(), autoSync: false, ...options });

  it.each(['debounceMs', 'intervalMs'])('createSyncClient %s: 0 to 24.8 days', async (key) => {
    for (const bad of BAD_DELAYS) await refusal(() => client({ [key]: bad }), `createSyncClient: ${range(key, 0)}`);
    for (const good of [0, 1, MAX_DELAY_MS]) await (await client({ [key]: good })).close();
  });

  it('createSyncClient retry: an object of delays from 1 ms (0 would retry in a tight loop)', async () => {
    await refusal(() => client({ retry: null }), 'createSyncClient: retry must be an object: { initialMs?, maxMs? }');
    await refusal(() => client({ retry: 500 }), 'createSyncClient: retry must be an object: { initialMs?, maxMs? }');
    for (const bad of [...BAD_DELAYS, 0]) {
      await refusal(() => client({ retry: { initialMs: bad } }), `createSyncClient: ${range('retry.initialMs', 1)}`);
      await refusal(() => client({ retry: { initialMs: 10, maxMs: bad } }), `createSyncClient: ${range('retry.maxMs', 1)}`);
    }
    for (const good of [{}, { initialMs: 1 }, { maxMs: MAX_DELAY_MS }, { initialMs: 1, maxMs: 1 }]) await (await client({ retry: good })).close();
  });

  it('createHttpRemote timeoutMs: 1 ms to 24.8 days (Infinity aborted every request at once)', async () => {
    for (const bad of [...BAD_DELAYS, 0]) await refusal(() => createHttpRemote({ url: 'http://x', token: 't', timeoutMs: bad as never }), `createHttpRemote: ${range('timeoutMs', 1)}`);
    for (const good of [1, MAX_DELAY_MS]) expect(typeof createHttpRemote({ url: 'http://x', token: 't', timeoutMs: good }).sync).toBe('function');
  });

  it('pokeStream idleTimeoutMs and reconnect: delays from 1 ms (0 reconnected in a tight loop)', async () => {
    for (const bad of [...BAD_DELAYS, 0]) {
      await refusal(() => pokeStream({ idleTimeoutMs: bad as never }), `pokeStream: ${range('idleTimeoutMs', 1)}`);
      await refusal(() => pokeStream({ reconnect: { initialMs: bad as never } }), `pokeStream: ${range('reconnect.initialMs', 1)}`);
      await refusal(() => pokeStream({ reconnect: { maxMs: bad as never } }), `pokeStream: ${range('reconnect.maxMs', 1)}`);
    }
    await refusal(() => pokeStream({ reconnect: 5 as never }), 'pokeStream: reconnect must be an object: { initialMs?, maxMs? }');
    await refusal(() => pokeStream(null as never), 'pokeStream: options must be an object');
    for (const good of [{}, { idleTimeoutMs: 1 }, { idleTimeoutMs: MAX_DELAY_MS, reconnect: { initialMs: 1, maxMs: MAX_DELAY_MS } }]) {
      expect(typeof pokeStream(good)).toBe('function');
    }
  });
});

describe("a server's wait", () => {
  let server: Server | null = null;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
    server = null;
  });

  it.each([
    ['a year, in seconds', '31536000'],
    ['more seconds than a number holds exactly', '99999999999999999999'],
    ['an HTTP date in 2100', 'Fri, 01 Jan 2100 00:00:00 GMT'],
  ])('429 with Retry-After %s: the client waits (as long as a timer can), it does not retry at once', async (_name, retryAfter) => {
    let requests = 0;
    server = createServer((req, res) => {
      requests++;
      req.resume();
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': retryAfter });
      res.end(JSON.stringify({ error: { code: 'rate_limited', message: 'slow down' } }));
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const c = await createSyncClient({ schema, store: memory(), remote: createHttpRemote({ url, token: 't' }), intervalMs: 0 });
    await c.set('todos', 't1', 'title', 'x');
    await new Promise((r) => setTimeout(r, 300));
    expect(requests).toBe(1);
    expect(c.status).toMatchObject({ state: 'error', error: { code: 'rate_limited' } });
    const wait = (c.status.nextRetryAt ?? 0) - Date.now();
    expect(wait).toBeGreaterThan(MAX_DELAY_MS - 10_000);
    expect(wait).toBeLessThanOrEqual(MAX_DELAY_MS);
    await c.close();
  });
});
