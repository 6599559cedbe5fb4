/**
 * A PostgreSQL server for the benchmarks: FIELDSYNC_BENCH_DATABASE_URL when set, otherwise
 * an embedded one (the same throw-away server the tests start, by default with fsync on, so
 * that ingest is measured with the durability the server promises).
 */
import pg from 'pg';
import { startTestPostgres } from '../../test-support/embedded-postgres.ts';

export async function benchPostgres(options: { durable?: boolean } = {}): Promise<{ url: string; stop(): Promise<void> }> {
  const given = process.env.FIELDSYNC_BENCH_DATABASE_URL;
  if (given) return { url: given, stop: async () => {} };
  return startTestPostgres({ durable: options.durable ?? true });
}

/** A new, empty database on that server; `drop()` removes it (and stops an embedded server). */
export async function benchDatabase(prefix: string, options: { durable?: boolean } = {}): Promise<{ url: string; drop(): Promise<void> }> {
  const server = await benchPostgres(options);
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  const name = `${prefix}_${Date.now()}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
      await server.stop();
    },
  };
}
