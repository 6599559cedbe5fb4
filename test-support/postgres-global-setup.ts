/**
 * Vitest global set-up of the node project: one PostgreSQL server for the whole run.
 * FIELDSYNC_TEST_DATABASE_URL (a role that may CREATE DATABASE) is used when set;
 * otherwise an embedded PostgreSQL starts on a free port and stops at the end. Each test
 * file then creates its own database on it (helpers/postgres.ts).
 */
import type { TestProject } from 'vitest/node';
import { startTestPostgres } from './embedded-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL server of the test run: a URL whose role may create databases. */
    fieldsyncPostgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env.FIELDSYNC_TEST_DATABASE_URL;
  if (external) {
    project.provide('fieldsyncPostgresUrl', external);
    return undefined;
  }
  const started = Date.now();
  const pg = await startTestPostgres();
  if (process.env.FIELDSYNC_TEST_VERBOSE) process.stderr.write(`embedded PostgreSQL ready in ${Date.now() - started} ms: ${pg.url}\n`);
  project.provide('fieldsyncPostgresUrl', pg.url);
  return () => pg.stop();
}
