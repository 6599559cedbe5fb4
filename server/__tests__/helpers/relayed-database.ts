/** A test file's PostgreSQL database behind a freezable relay: made before its tests, thawed and dropped after them. */
import { afterAll, beforeAll } from 'vitest';
import { freezableRelay, type FreezableRelay } from './freezable-relay.ts';
import { createTestDatabase, type TestDatabase } from './postgres.ts';

export function relayedTestDatabase(): { readonly relay: FreezableRelay } {
  let db: TestDatabase | undefined;
  let relay: FreezableRelay | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    relay = await freezableRelay(db.url);
  });
  afterAll(async () => {
    relay?.thaw();
    await relay?.close();
    await db?.drop();
  });
  return {
    get relay(): FreezableRelay {
      if (relay === undefined) throw new Error('relayedTestDatabase: the relay is made in beforeAll');
      return relay;
    },
  };
}
