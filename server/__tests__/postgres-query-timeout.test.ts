/**
 * A database that stops answering without closing its connections (SIGSTOPped, a network black
 * hole): `statement_timeout` is the database's own and never fires then. A request on an open
 * pooled connection waited forever (review: 13 syncs with the postmaster stopped, 12 got 503
 * after the connect timeout, the one on the open connection never answered). The pool's
 * client-side `query_timeout` bounds it: the request fails with DatabaseTimeoutError, answered
 * 503 `unavailable` with `Retry-After: 2`, and its connection is discarded, not reused.
 * A freezable relay (helpers/freezable-relay.ts) stands in for the frozen database.
 */
import { describe, expect, it } from 'vitest';
import type { Message } from 'fieldsync';
import { formatHlc } from 'fieldsync/server';
import { toErrorReply } from '../errors.ts';
import { createPostgresServerStore } from '../stores/postgres-server-store.ts';
import { DatabaseTimeoutError } from '../stores/postgres-transaction.ts';
import { relayedTestDatabase } from './helpers/relayed-database.ts';
import { startTestServer } from './helpers/test-server.ts';

const QUERY_TIMEOUT_MS = 1000;

const database = relayedTestDatabase();

const msg = (n: number): Message => ({ hlc: formatHlc({ millis: Date.now() - 60_000 + n, counter: 0, clientId: 'A' }), table: 'notes', row: `r${n}`, column: 'title', value: `v${n}` });

/** How `promise` settled within `ms`: its value, its error, or 'pending' (the old code never settled). */
async function within<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | { error: unknown } | 'pending'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pending = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), ms);
  });
  try {
    return await Promise.race([promise.then((value) => ({ value }), (error: unknown) => ({ error })), pending]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a PostgreSQL store whose database stops answering on an open connection', () => {
  it('fails the push and the pull within the query timeout, as unavailable (503, Retry-After: 2), and discards the connection', async () => {
    const store = await createPostgresServerStore({ url: database.relay.url, poolMax: 1, queryTimeoutMs: QUERY_TIMEOUT_MS, connectionTimeoutMs: 1000 });
    try {
      await store.push('u', [msg(1)]); // the pool's one connection is open, and idle
      expect(store.pool.totalCount).toBe(1);
      // The statements the push sends from now on (round 67: in place of a bound of 1.6 query
      // timeouts on its time, the statement it must not send).
      const sent: string[] = [];
      store.pool.once('acquire', (client) => {
        const query = client.query.bind(client) as (...args: unknown[]) => unknown;
        (client as { query: unknown }).query = (...args: unknown[]) => {
          const q = args[0] as string | { text?: string } | undefined;
          sent.push(typeof q === 'string' ? q : (q?.text ?? '?'));
          return query(...args);
        };
      });
      database.relay.freeze();
      const push = await within(store.push('u', [msg(2)]), QUERY_TIMEOUT_MS * 5);
      expect(push).not.toBe('pending');
      const err = (push as { error: unknown }).error;
      expect(err).toBeInstanceOf(DatabaseTimeoutError);
      // Once for the statement, not again for a ROLLBACK queued behind it: none is sent.
      expect(sent.length, 'statements sent').toBeGreaterThan(0);
      expect(sent.filter((q) => /ROLLBACK/i.test(q)), `a ROLLBACK queued behind the unanswered statement: ${JSON.stringify(sent)}`).toEqual([]);
      const reply = toErrorReply(err);
      expect(reply.status).toBe(503);
      expect(reply.body.error.code).toBe('unavailable');
      expect(reply.headers).toEqual({ 'Retry-After': '2' });
      // The connection is gone from the pool, and its socket closed: once the relay reads
      // again, it finds the client's end (a socket it still held would stay open).
      expect(store.pool.totalCount).toBe(0);
      database.relay.thaw();
      await expect.poll(() => database.relay.connections, { timeout: 2000 }).toBe(0);

      // A pull fails the same way, on a connection opened since.
      await store.pull('u', { cursor: 0, excludeClientId: 'observer', limit: 10 });
      database.relay.freeze();
      const pull = await within(store.pull('u', { cursor: 0, excludeClientId: 'observer', limit: 10 }), QUERY_TIMEOUT_MS * 5);
      expect(pull).not.toBe('pending');
      expect((pull as { error: unknown }).error).toBeInstanceOf(DatabaseTimeoutError);
      expect(store.pool.totalCount).toBe(0);

      // Back: new connections serve; the push sent again is stored once.
      database.relay.thaw();
      await store.push('u', [msg(2)]);
      const page = await store.pull('u', { cursor: 0, excludeClientId: 'observer', limit: 10 });
      expect(page.messages.map((m) => m.row)).toEqual(['r1', 'r2']);
    } finally {
      database.relay.thaw();
      await store.close();
    }
  });
});

describe('a server whose PostgreSQL stops answering on an open connection', () => {
  it('answers the sync 503 unavailable with Retry-After: 2 within the query timeout, and serves again once it answers', async () => {
    const store = await createPostgresServerStore({ url: database.relay.url, poolMax: 1, queryTimeoutMs: QUERY_TIMEOUT_MS, connectionTimeoutMs: 1000 });
    const s = await startTestServer({ store });
    const push = (n: number) => ({ clientId: 'A', cursor: 0, messages: [msg(n)] });
    try {
      expect((await s.sync('v', push(1))).status).toBe(200);
      database.relay.freeze();
      const answer = await within(s.sync('v', push(2)), QUERY_TIMEOUT_MS * 5);
      expect(answer).not.toBe('pending');
      const r = (answer as { value: Awaited<ReturnType<typeof s.sync>> }).value;
      expect(r.status).toBe(503);
      expect(r.body).toEqual({ error: { code: 'unavailable', message: 'the database cannot be reached right now; try again shortly' } });
      expect(r.headers.get('retry-after')).toBe('2');
      expect(s.logs.filter((l) => l.msg === 'internal error')).toEqual([]);
      database.relay.thaw();
      expect((await s.sync('v', push(2))).status).toBe(200);
      expect((await s.pullAll('v')).map((m) => m.row)).toEqual(['r1', 'r2']);
    } finally {
      database.relay.thaw();
      await s.stop();
      await store.close();
    }
  });
});
