/**
 * The old process's one warning (round 64, a loose end of round 63): once it met a database a
 * newer process migrated, it answers every request 503, and the operator is told once, with
 * both versions, not once a request (a log flooded at the fleet's request rate) nor once per
 * 10 s (the pace of the other 503s' warnings: round 63's plant of that survived, as a test's
 * requests take under 10 s). On a real server (real HTTP, a real SQLite file and a real
 * PostgreSQL database) across many requests, and on the error handler with a fake clock across
 * minutes, since "once" must hold however long the process goes on.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { errorHandler } from '../error-handler.ts';
import { NewerSchemaError } from '../stores/newer-schema.ts';
import { SQLITE_FILE } from '../stores/open-store.ts';
import { POSTGRES_SCHEMA_VERSION } from '../stores/postgres-schema.ts';
import { SCHEMA_VERSION } from '../stores/sqlite-schema.ts';
import { connectClient, createTestDatabase, type TestDatabase } from './helpers/postgres.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

let server: TestServer | undefined;
let db: TestDatabase | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await server?.stop();
  await db?.drop();
  server = undefined;
  db = undefined;
});

const warning = (found: number, known: number): string =>
  `the database has schema version ${found}, newer than this server knows (${known}): another process upgraded it while this one ran; this process answers every request 503 from now on (stop it, or upgrade it)`;

/** 40 syncs of 8 users (pushes and pulls, known users and new ones) and /healthz between them: each 503, one warning. */
async function expectOneWarning(t: TestServer, found: number, known: number): Promise<void> {
  const statuses: number[] = [];
  for (let i = 0; i < 40; i++) {
    const user = `user${i % 8}`;
    const body = i % 2 === 0 ? { clientId: 'B', cursor: 0 } : { clientId: 'B', cursor: 0, messages: [msg('B', `r${i}`, `v${i}`)] };
    statuses.push((await t.sync(i % 5 === 0 ? 'alice' : user, body)).status);
    if (i % 10 === 0) statuses.push((await fetch(`${t.url}/healthz`)).status);
  }
  expect(new Set(statuses)).toEqual(new Set([503]));
  expect(statuses).toHaveLength(44);
  const lines = t.logs.filter((l) => typeof l.msg === 'string' && l.msg.includes('newer than this server knows'));
  expect(lines.map((l) => [l.level, l.msg])).toEqual([[40, warning(found, known)]]);
}

describe('the newer schema is told once, across many requests', () => {
  it('SQLite', async () => {
    server = await startTestServer();
    expect((await server.sync('alice', { clientId: 'A', cursor: 0, messages: [msg('A', 'r1', 'one')] })).status).toBe(200);
    const raw = new Database(join(server.dataDir, SQLITE_FILE));
    try {
      raw.exec(`BEGIN IMMEDIATE; ALTER TABLE messages ADD COLUMN future TEXT; PRAGMA user_version = ${SCHEMA_VERSION + 1}; COMMIT`);
    } finally {
      raw.close();
    }
    await expectOneWarning(server, SCHEMA_VERSION + 1, SCHEMA_VERSION);
  });

  const noPostgres = !inject('fieldsyncPostgresUrl');
  it.skipIf(noPostgres)(`PostgreSQL${noPostgres ? ' (skipped: no PostgreSQL server for this run)' : ''}`, async () => {
    db = await createTestDatabase();
    server = await startTestServer({ env: { FIELDSYNC_DATABASE_URL: db.url } });
    expect((await server.sync('alice', { clientId: 'A', cursor: 0, messages: [msg('A', 'r1', 'one')] })).status).toBe(200);
    const c = await connectClient(db.url);
    try {
      await c.query(`BEGIN; ALTER TABLE fieldsync_messages ADD COLUMN future text; INSERT INTO fieldsync_schema (version) VALUES (${POSTGRES_SCHEMA_VERSION + 1}); COMMIT`);
    } finally {
      await c.end();
    }
    await expectOneWarning(server, POSTGRES_SCHEMA_VERSION + 1, POSTGRES_SCHEMA_VERSION);
  });
});

describe('the error handler, with a fake clock', () => {
  /** The handler, with a request whose log keeps its warnings. */
  function handler(): { handle: (err: unknown) => void; warnings: string[] } {
    const warnings: string[] = [];
    const request = { url: '/v1/sync', log: { warn: (_o: unknown, m: string) => void warnings.push(m), error: () => undefined } } as unknown as FastifyRequest;
    const handle = errorHandler((_req, reply) => reply);
    return { handle: (err) => void handle(err, request, {} as FastifyReply), warnings };
  }

  it('the newer schema: one warning in an hour of requests (a minute apart)', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const { handle, warnings } = handler();
    for (let i = 0; i < 60; i++) {
      handle(new NewerSchemaError(3, 2));
      vi.advanceTimersByTime(60_000);
    }
    expect(warnings).toEqual([warning(3, 2)]);
  });

  it('a database that cannot be reached, for contrast: again after each 10 s', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const { handle, warnings } = handler();
    for (let i = 0; i < 3; i++) {
      handle(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', syscall: 'connect' }));
      vi.advanceTimersByTime(10_001);
    }
    expect(warnings).toEqual(Array(3).fill('the database cannot be reached; answering 503 until it can'));
  });
});
