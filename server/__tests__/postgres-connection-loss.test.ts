/**
 * The database ends the store's connections (a restart, a failover, `pg_terminate_backend`)
 * while a push holds one: the push fails with an error, the process goes on, and the next
 * push is stored once. A checked-out `pg` client has no 'error' listener of pg-pool's, and
 * the dying connection emits 'error' on it; with no listener of ours, Node threw it and the
 * server process ended (audit: 2 processes of 2 exited on one `pg_terminate_backend`).
 * An idle connection that the database ended is logged as a warning. While the database cannot
 * be reached at all, syncs get 503 `unavailable` with `Retry-After`, and the process serves
 * again by itself once it can.
 */
import { createServer, connect as connectTcp, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from 'fieldsync';
import { formatHlc } from 'fieldsync/server';
import { createPostgresServerStore } from '../stores/postgres-server-store.ts';
import { connectClient, createTestDatabase, untilQuery, type TestDatabase } from './helpers/postgres.ts';
import { startTestServer } from './helpers/test-server.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const BASE = Date.UTC(2026, 11, 1, 12, 0, 0);
const msg = (n: number): Message => ({ hlc: formatHlc({ millis: BASE + n, counter: 0, clientId: 'A' }), table: 'notes', row: `r${n}`, column: 'title', value: `v${n}` });

describe('a connection the database ends', () => {
  it('fails the push that held it, and the store goes on: the next push is stored once', async () => {
    const app = 'fieldsync-loss-test';
    const store = await createPostgresServerStore({ url: db.url, poolMax: 2, applicationName: app });
    const admin = await connectClient(db.url);
    try {
      await store.push('u', [msg(1)]);
      // A push in flight, waiting on the user's counter row inside its transaction.
      await admin.query('BEGIN');
      await admin.query(`SELECT last_id FROM fieldsync_users WHERE user_id = 'u' FOR UPDATE`);
      const stuck = store.push('u', [msg(2)]).then(() => null, (err: unknown) => err);
      await untilQuery(async () => (await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [app])).rowCount === 1, 'the push to wait');
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [app]);
      await admin.query('ROLLBACK');
      expect(await stuck).toBeInstanceOf(Error);
      // Whatever the dying connection emits after its query failed (the ROLLBACK, the socket's end).
      await new Promise((r) => setTimeout(r, 300));
      // The store goes on, on fresh connections; a push sent again is stored once.
      await store.push('u', [msg(2)]);
      await store.push('u', [msg(2), msg(3)]);
      const page = await store.pull('u', { cursor: 0, excludeClientId: 'observer', limit: 100 });
      expect(page.messages.map((m) => m.row).sort()).toEqual(['r1', 'r2', 'r3']);
    } finally {
      await admin.end();
      await store.close();
    }
  });
});

describe('a server on PostgreSQL whose idle connections the database ends', () => {
  it('logs it as a warning, and serves the next sync on new ones', async () => {
    const other = await createTestDatabase();
    const s = await startTestServer({ env: { FIELDSYNC_DATABASE_URL: other.url } });
    const admin = await connectClient(other.url);
    try {
      const push = { clientId: 'A', cursor: 0, messages: [{ ...msg(1), hlc: formatHlc({ millis: Date.now(), counter: 0, clientId: 'A' }) }] };
      expect((await s.sync('u', push)).status).toBe(200);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
      await untilQuery(async () => s.logText().includes('an idle database connection failed'), 'the warning');
      const line = s.logs.find((l) => l.msg === 'an idle database connection failed; the pool opens another when needed');
      expect(line?.level).toBe(40);
      const pull = await s.sync('u', { clientId: 'B', cursor: 0 });
      expect(pull.status).toBe(200);
      expect((pull.body.messages as unknown[]).length).toBe(1);
    } finally {
      await admin.end();
      await s.stop();
      await other.drop();
    }
  });
});

/**
 * A loopback TCP relay to the database that the test can cut and restore on the same port:
 * what a server sees when PostgreSQL stops and starts again (its connections reset, new ones
 * refused), without stopping the run's shared PostgreSQL.
 */
async function relayTo(target: URL): Promise<{ port: number; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server;
  let port = 0;
  const listen = async (): Promise<void> => {
    server = createServer((inbound) => {
      const outbound = connectTcp(Number(target.port), target.hostname);
      for (const s of [inbound, outbound]) {
        sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => {
          sockets.delete(s);
          inbound.destroy();
          outbound.destroy();
        });
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  };
  const cut = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  await listen();
  return { port, cut, restore: listen, close: cut };
}

describe('a server on PostgreSQL while the database cannot be reached', () => {
  it('answers 503 unavailable with Retry-After, warns once, and serves again by itself once it can', async () => {
    const other = await createTestDatabase();
    const target = new URL(other.url);
    const relay = await relayTo(target);
    const viaRelay = new URL(other.url);
    viaRelay.port = String(relay.port);
    const s = await startTestServer({ env: { FIELDSYNC_DATABASE_URL: viaRelay.toString() } });
    const hlc = (n: number): string => formatHlc({ millis: Date.now() - 1000 + n, counter: 0, clientId: 'A' });
    const push = (n: number) => ({ clientId: 'A', cursor: 0, messages: [{ table: 'notes', row: `r${n}`, column: 'title', value: `v${n}`, hlc: hlc(n) }] });
    try {
      expect((await s.sync('u', push(1))).status).toBe(200);
      await relay.cut();
      const refused = [await s.sync('u', push(2)), await s.sync('u', push(3)), await s.sync('u', { clientId: 'B', cursor: 0 })];
      for (const r of refused) {
        expect(r.status).toBe(503);
        expect(r.body).toEqual({ error: { code: 'unavailable', message: 'the database cannot be reached right now; try again shortly' } });
        expect(r.headers.get('retry-after')).toBe('2');
      }
      expect(s.logs.filter((l) => l.msg === 'internal error')).toEqual([]);
      expect(s.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('the database cannot be reached')).length).toBe(1);
      // Back: the same process serves again, and what was refused is stored once sent again.
      await relay.restore();
      await untilQuery(async () => (await s.sync('u', push(2))).status === 200, 'the server to serve again');
      expect((await s.sync('u', push(3))).status).toBe(200);
      const page = await s.sync('u', { clientId: 'B', cursor: 0 });
      expect((page.body.messages as { row: string }[]).map((m) => m.row).sort()).toEqual(['r1', 'r2', 'r3']);
    } finally {
      await s.stop();
      await relay.close();
      await other.drop();
    }
  });
});
