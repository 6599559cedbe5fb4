/**
 * The log says which store a server opened, once, at start: the SQLite file, or PostgreSQL's
 * host and database without the credentials. It said nothing, so a server on SQLite in ./.data
 * where PostgreSQL was meant (a setting that did not take) looked like any other.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createTestDatabase } from './helpers/postgres.ts';
import { startTestServer } from './helpers/test-server.ts';

const storeLines = (logs: Record<string, unknown>[]) => logs.filter((l) => l.msg === 'store opened');

it('names the SQLite file it opened', async () => {
  const s = await startTestServer();
  try {
    expect(storeLines(s.logs)).toEqual([expect.objectContaining({ level: 30, store: `sqlite ${join(s.dataDir, 'fieldsync.sqlite')}` })]);
  } finally {
    await s.stop();
  }
});

it("names PostgreSQL's host and database, never its user or password", async () => {
  const db = await createTestDatabase();
  const s = await startTestServer({ env: { FIELDSYNC_DATABASE_URL: db.url } });
  try {
    const url = new URL(db.url);
    expect(storeLines(s.logs)).toEqual([expect.objectContaining({ store: `postgres ${url.host}/${db.name}` })]);
    expect(s.logText()).not.toContain(decodeURIComponent(url.password));
  } finally {
    await s.stop();
    await db.drop();
  }
});
