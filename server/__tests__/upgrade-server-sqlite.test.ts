/**
 * Upgrade: the server's SQLite database written by older servers (made by the old code:
 * test-support/upgrade-fixtures), then this server started on it. Messages, their ids and
 * each user's epoch stay; a client holding a cursor from before the upgrade goes on from it
 * with no gap and no repeat; ids go on from the last.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../stores/sqlite-schema.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';
import { restoreDataDir } from '../../test-support/upgrade-fixture-files.ts';
import { tempDir, type TempDir } from '../../test-support/temp-dir.ts';

// [dump, its schema version]
const VERSIONS = [
  ['server-sqlite-v1-db50754.sql', 1],
  ['server-sqlite-v2-e463e49.sql', 2],
  ['server-sqlite-v2-360a2ba.sql', 2],
] as const;

interface Row { id: number; hlc: string; tbl: string; row: string; col: string; value: string }

let dir: TempDir | undefined;
let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  dir?.remove();
  server = undefined;
  dir = undefined;
});

function readFile(file: string): { version: number; rows: Row[]; epoch: string | undefined } {
  const db = new Database(file, { readonly: true });
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    const rows = db.prepare('SELECT id, hlc, tbl, row, col, value FROM messages ORDER BY id').all() as Row[];
    const cols = (db.pragma('table_info(users)') as { name: string }[]).map((c) => c.name);
    const epoch = cols.includes('epoch') ? (db.prepare(`SELECT epoch FROM users WHERE name = 'alice'`).pluck().get() as string) : undefined;
    return { version, rows, epoch };
  } finally {
    db.close();
  }
}

describe.each(VERSIONS)('a server database written as %s', (dump, version) => {
  it('keeps messages, ids and epoch; an old cursor goes on with no gap or repeat', async () => {
    dir = tempDir('fieldsync-upgrade-');
    const { data: dataDir, file } = restoreDataDir(dir.path, dump);
    const old = readFile(file);
    expect(old.version).toBe(version);
    expect(old.rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);

    server = await startTestServer({ dataDir });
    // A client that had pulled up to 3 before the upgrade (with its epoch, if the old server gave one).
    const pull = await server.sync('alice', { clientId: 'oldClient', cursor: 3, limit: 100, ...(old.epoch ? { epoch: old.epoch } : {}) });
    expect(pull.status).toBe(200);
    expect(pull.body.messages).toEqual(old.rows.slice(3).map((r) => ({ id: r.id, hlc: r.hlc, table: r.tbl, row: r.row, column: r.col, value: JSON.parse(r.value) as unknown })));
    expect(pull.body.cursor).toBe(7);
    const epoch = pull.body.epoch as string;
    // An epoch kept from the old server stays (else every client would start over); a log from
    // before epochs is given one.
    if (old.epoch) expect(epoch).toBe(old.epoch);
    else expect(epoch).toMatch(/^[0-9a-f]{16}$/);

    const m = msg('newClient', 'n1', 'after the upgrade');
    const push = await server.sync('alice', { clientId: 'newClient', cursor: 7, limit: 100, epoch, messages: [m] });
    expect(push.status).toBe(200);
    expect(push.body.epoch).toBe(epoch);
    const next = await server.sync('alice', { clientId: 'oldClient', cursor: 7, limit: 100, epoch });
    expect(next.body.messages).toEqual([{ ...m, id: 8 }]);
    expect(next.body.cursor).toBe(8);

    // After a restart: the same epoch, the file at this version, ids go on.
    await server.server.close();
    expect(readFile(file).version).toBe(SCHEMA_VERSION);
    expect(readFile(file).epoch).toBe(epoch);
    const again = await startTestServer({ dataDir });
    server = again;
    const m2 = msg('newClient', 'n2', 'after a restart');
    await again.sync('alice', { clientId: 'newClient', cursor: 8, limit: 100, epoch, messages: [m2] });
    const last = await again.sync('alice', { clientId: 'oldClient', cursor: 8, limit: 100, epoch });
    expect(last.body).toMatchObject({ epoch, cursor: 9, messages: [{ ...m2, id: 9 }] });
    expect((await again.pullAll('alice')).map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
