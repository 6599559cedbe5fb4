/**
 * Upgrade: the desktop app's profile (its one file, fieldsync.db) written by older apps, made
 * by the old app core itself (test-support/upgrade-fixtures/profile-*.sql), used offline: a
 * list renamed, three todos, one done, one deleted, nothing pushed. This app opens it: the
 * user sees the same data, and the first sync pushes every change once.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Row } from '../../../shared/app-rows.ts';
import { call, useCores } from '../../../../test-support/core-fixture.ts';
import { useRealServer } from '../../../../test-support/real-server.ts';
import { tempDir } from '../../../../test-support/temp-dir.ts';
import { restoreDump } from '../../../../test-support/upgrade-fixture-files.ts';
import { DB_FILE, type AppCore } from '../app-core.ts';

const server = useRealServer();
const cores = useCores();

// [dump, the app schema version that wrote it]
const PROFILES = [
  ['profile-v1-da1faf7.sql', 1], // the first app core (client store in its first layout)
  ['profile-v2-cb4c951.sql', 2], // the devices table
] as const;

/** What the user sees: every list with its todos' titles and done flags, in order. */
async function shown(core: AppCore): Promise<unknown> {
  const lists = await call<Row<'lists'>[]>(core, 'rows', 'lists', {});
  return Promise.all(lists.map(async (l) => ({
    name: l.name,
    todos: (await call<Row<'todos'>[]>(core, 'rows', 'todos', { parent: l.id })).map((t) => [t.title, t.done]),
  })));
}

const EXPECTED = [{ name: 'Shopping', todos: [['Milk', true], ["Eggs 'free range' \u00e9", false]] }];

describe.each(PROFILES)('a profile written as %s', (dump, schemaVersion) => {
  it('shows the same data and pushes every offline change once', async () => {
    const dir = tempDir('fieldsync-profile-');
    restoreDump(dump, join(dir.path, DB_FILE));
    const user = `upgrade-${schemaVersion}`;
    const token = await server.token(user);
    const core = await cores.open({ dir, profile: 'old-profile', serverUrl: server.url, token, sync: { autoSync: false } });
    try {
      expect(await shown(core)).toEqual(EXPECTED);
      const pending = core.client.status.pending;
      expect(pending).toBeGreaterThan(0);
      await call(core, 'syncNow');
      expect(core.client.status.pending).toBe(0);

      // A second device of the same user sees the same, and the server holds each change once.
      const other = await cores.open({ profile: 'new-device', serverUrl: server.url, token, sync: { autoSync: false } });
      await call(other, 'syncNow');
      expect(await shown(other)).toEqual(EXPECTED);
      const log = await (await fetch(`${server.url}/v1/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ clientId: 'observer', cursor: 0, limit: 1000 }),
      })).json() as { messages: { hlc: string }[] };
      expect(new Set(log.messages.map((m) => m.hlc)).size).toBe(log.messages.length);
      // (The server compacts: a value the same device replaced offline is not kept.)
      expect(log.messages.filter((m) => m.hlc.endsWith(core.info.clientId)).length).toBeGreaterThan(0);
    } finally {
      dir.remove();
    }
  });
});
