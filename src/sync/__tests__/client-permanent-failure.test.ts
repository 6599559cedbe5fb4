/**
 * A sync that failed for good (a RemoteError whose `transient` is false: an answer too large
 * even at one message a page, a 400, a 404) is not retried by itself: until round 62 the
 * scheduler retried it with backoff for ever, a request every 30 s that could only fail the
 * same way. Syncing stops, as after a 401, until the app calls sync() or setOnline(true); a
 * sync that succeeds then resumes the schedule. Passing failures (5xx, 408, 429, a malformed
 * answer) and a permanent one that carries Retry-After are still retried. The scheduler's
 * timers are fake, as in client-schedule.test.ts; answer-too-large.test.ts shows the same over
 * real HTTP on loopback.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AnswerTooLargeError, RemoteError, createSyncClient, type SyncClient } from '../index.ts';
import { createInProcessServer } from '../testing/index.ts';
import { ScriptedRemote, memory, schema } from './harness/test-kit.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 10, 24, 15, 0, 0) });
});
afterEach(() => {
  vi.useRealTimers();
});

async function started(): Promise<{ remote: ScriptedRemote; client: SyncClient }> {
  const remote = new ScriptedRemote(createInProcessServer());
  const client = await createSyncClient({
    schema, store: memory(), remote, random: () => 0.5,
    retry: { initialMs: 1000, maxMs: 8000 }, intervalMs: 10_000, debounceMs: 20,
  });
  await vi.advanceTimersByTimeAsync(1); // the first sync, on start
  remote.requests.length = 0;
  return { remote, client };
}

const tooLarge = (): AnswerTooLargeError => new AnswerTooLargeError('the answer to one message a page is still too large: no smaller request can be read');

/** Everything that syncs by itself: a write, ten minutes of interval and backoff, a poke, a reconnection. */
async function everyTrigger(remote: ScriptedRemote, client: SyncClient): Promise<void> {
  await client.set('todos', 'a', 'title', 'again');
  remote.listener?.onPoke({ cursor: 50 });
  remote.listener?.onOpen?.();
  await vi.advanceTimersByTimeAsync(600_000);
}

describe('a permanent failure stops automatic syncs', () => {
  it('an answer too large at one message a page: no retry, no sync by itself; sync() tries again, and once one succeeds the schedule resumes', async () => {
    const { remote, client } = await started();
    remote.intercept = () => { throw tooLarge(); };
    await client.set('todos', 'a', 'title', 'x');
    await vi.advanceTimersByTimeAsync(25);
    expect(remote.requests).toHaveLength(1);
    expect(client.status).toMatchObject({ state: 'error', nextRetryAt: null, pending: 1, error: { code: 'invalid_response', message: expect.stringContaining('no smaller request can be read') } });
    await everyTrigger(remote, client);
    expect(remote.requests).toHaveLength(1);
    // The app's explicit sync() still runs: it fails the same way, and syncing stays stopped.
    const err = await client.sync().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(AnswerTooLargeError);
    expect(err).toBeInstanceOf(RemoteError);
    expect(remote.requests).toHaveLength(2);
    await everyTrigger(remote, client);
    expect(remote.requests).toHaveLength(2);
    // The server is fixed: sync() succeeds, and syncs happen by themselves again.
    remote.intercept = null;
    expect(await client.sync()).toMatchObject({ state: 'idle', pending: 0, error: null, nextRetryAt: null });
    await client.set('todos', 'a', 'title', 'y');
    await vi.advanceTimersByTimeAsync(25);
    expect(remote.requests).toHaveLength(4);
    expect(client.status).toMatchObject({ state: 'idle', pending: 0 });
    await client.close();
  });

  it.each([
    ['400 invalid_request', () => new RemoteError(400, 'invalid_request', 'limit must be an integer from 1 to 1000')],
    ['404 not_found', () => new RemoteError(404, 'not_found', 'no such endpoint')],
    ['403 invalid_request (the server\'s own; a proxy\'s page passes since round 63: proxy-page-retry.test.ts)', () => new RemoteError(403, 'invalid_request', 'forbidden')],
  ])('so does any other RemoteError whose transient is false: %s', async (_name, error) => {
    const { remote, client } = await started();
    remote.intercept = () => { throw error(); };
    await client.set('todos', 'a', 'title', 'x');
    await vi.advanceTimersByTimeAsync(25);
    expect(client.status).toMatchObject({ state: 'error', nextRetryAt: null });
    await everyTrigger(remote, client);
    expect(remote.requests).toHaveLength(1);
    await client.close();
  });

  it('a write during the run that fails for good does not start another run after it', async () => {
    const { remote, client } = await started();
    let fail: (err: Error) => void = () => {};
    remote.intercept = () => new Promise((_resolve, reject) => { fail = reject; }); // the server is slow
    const first = client.sync().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1);
    await client.set('todos', 'a', 'title', 'during');
    fail(tooLarge());
    expect(await first).toBeInstanceOf(AnswerTooLargeError);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(remote.requests).toHaveLength(1);
    expect(client.status).toMatchObject({ state: 'error', pending: 1, nextRetryAt: null });
    await client.close();
  });

  it('setOnline(false), then (true), tries again at once, as after a 401', async () => {
    const { remote, client } = await started();
    remote.intercept = () => { throw tooLarge(); };
    await client.set('todos', 'a', 'title', 'x');
    await vi.advanceTimersByTimeAsync(25);
    expect(remote.requests).toHaveLength(1);
    remote.intercept = null;
    client.setOnline(false);
    client.setOnline(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(remote.requests).toHaveLength(2);
    expect(client.status).toMatchObject({ state: 'idle', pending: 0, error: null });
    await client.close();
  });
});

describe('passing failures are still retried with backoff', () => {
  it.each([
    ['503', () => new RemoteError(503, 'unavailable', 'down for maintenance')],
    ['408 (a proxy\'s request timeout)', () => new RemoteError(408, 'invalid_request', 'HTTP 408')],
    ['429', () => new RemoteError(429, 'rate_limited', 'busy')],
    ['a malformed answer', () => new RemoteError(200, 'invalid_response', 'invalid sync response: cursor must be an integer')],
    ['a permanent error with Retry-After (the server says waiting helps)', () => new RemoteError(403, 'invalid_request', 'quota exceeded', { retryAfterMs: 2000 })],
  ])('%s', async (_name, error) => {
    const { remote, client } = await started();
    remote.intercept = (_req, n) => { if (n === 1) throw error(); return undefined; };
    await client.set('todos', 'a', 'title', 'x');
    await vi.advanceTimersByTimeAsync(25);
    expect(remote.requests).toHaveLength(1);
    expect(client.status.state).toBe('error');
    expect(client.status.nextRetryAt).not.toBeNull();
    await vi.advanceTimersByTimeAsync(2100);
    expect(remote.requests).toHaveLength(2);
    expect(client.status).toMatchObject({ state: 'idle', pending: 0 });
    await client.close();
  });
});
