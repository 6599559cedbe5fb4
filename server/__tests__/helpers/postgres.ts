/**
 * A fresh, empty database per test file or case, on the run's PostgreSQL server
 * (test-support/postgres-global-setup.ts). Drop it when done; a crashed run's databases vanish
 * with its embedded server.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export interface TestDatabase {
  /** `postgres://...` of the new database. */
  readonly url: string;
  readonly name: string;
  /** Drops the database, ending its connections. */
  drop(): Promise<void>;
}

export function serverUrl(): string {
  const url = inject('fieldsyncPostgresUrl');
  if (!url) throw new Error('no PostgreSQL server: is test-support/postgres-global-setup.ts the node project\'s globalSetup?');
  return url;
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl() });
  client.on('error', () => {});
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `fs_${process.pid}_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** A client of its own on `url` (a test's second session: a lock holder, a reader). */
export async function connectClient(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {});
  await c.connect();
  return c;
}

/** Resolves once `predicate` holds, checking every 10 ms (a condition, not a fixed sleep). */
export async function untilQuery(predicate: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
