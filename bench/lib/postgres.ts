/**
 * A PostgreSQL server for the benchmarks: FIELDSYNC_BENCH_DATABASE_URL when set, otherwise
 * an embedded one (the same throw-away server the tests start, here with fsync on, so that
 * ingest is measured with the durability the server promises).
 */
import { startTestPostgres } from '../../test-support/embedded-postgres.ts';

export async function benchPostgres(): Promise<{ url: string; stop(): Promise<void> }> {
  const given = process.env.FIELDSYNC_BENCH_DATABASE_URL;
  if (given) return { url: given, stop: async () => {} };
  return startTestPostgres({ durable: true });
}
