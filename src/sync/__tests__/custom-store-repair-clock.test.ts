/**
 * Round 68: the clock reset of a `clock_drift` repair (repair.ts `restampFrom`) and the
 * year-9999 rule the receive rule has had since round 67 (hybrid-clock.ts). A store that took
 * a message stamped at the very end of the HLC range before round 67 keeps it; the clock
 * opened from that store skips it, but the repair restarted the clock from the newest message
 * that stays, that one: the re-stamp ran out of timestamps (a ClockError), and every local
 * write after it failed with clock_overflow, at every sync's repair again. Real HTTP on loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpRemote, createSyncClient } from '../index.ts';
import type { SyncRequest } from '../protocol.ts';
import { formatHlc } from '../hlc.ts';
import { createInProcessServer } from '../testing/in-process-server.ts';
import { memory, schema } from './harness/test-kit.ts';
import { closeServers, serve } from './harness/loopback.ts';

afterEach(closeServers);

const END = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const atTheEnd = formatHlc({ millis: END, counter: 0xfffe, clientId: 'evil' });

describe('a clock_drift repair on a store that holds a year-9999 message', () => {
  it('restarts the clock from the newest message it can reach: both writes re-stamped and pushed, and later writes work', async () => {
    const honest = createInProcessServer();
    const inner = honest.remote('user');
    let drifts = 0;
    const url = await serve((_req, res, body) => {
      const request = JSON.parse(body) as SyncRequest;
      void (async () => {
        // The first push is refused as ahead of the server's clock (what a server with a tight drift limit says).
        if (drifts === 0 && (request.messages?.length ?? 0) > 0) {
          drifts++;
          res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { code: 'clock_drift', message: 'too far ahead', index: 0, serverTime: new Date().toISOString() } }));
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(await inner.sync(request)));
      })();
    });
    // A store that pulled the year-9999 message before round 67 (receive refuses it now).
    const store = memory();
    await (await createSyncClient({ schema, store })).close();
    store.commit({
      insert: [{ hlc: atTheEnd, table: 'todos', row: 'x', column: 'title', value: 'evil', local: false, synced: true, applied: true, error: null }],
      writes: [{ table: 'todos', row: 'x', column: 'title', value: 'evil', hlc: atTheEnd }],
    });
    const client = await createSyncClient({ schema, store, remote: createHttpRemote({ url, token: 't' }), autoSync: false });
    await client.set('todos', 'a', 'title', 'one');
    await client.set('todos', 'b', 'title', 'two');

    const failed = await client.sync().then(() => null, (e: unknown) => e);
    expect(failed).toBeNull();
    expect(drifts).toBe(1);
    expect(client.status).toMatchObject({ state: 'idle', pending: 0, error: null });
    const held = async (): Promise<string[]> => (await inner.sync({ clientId: 'other', cursor: 0 })).messages.map((m) => `${m.row}=${String(m.value)}@${m.hlc.slice(0, 4)}`);
    const year = new Date().toISOString().slice(0, 4);
    expect(await held()).toEqual([`a=one@${year}`, `b=two@${year}`]);
    const later = await client.set('todos', 'b', 'title', 'three');
    expect(later.hlc.slice(0, 4)).toBe(year);
    await client.sync();
    expect(await held()).toEqual([`a=one@${year}`, `b=three@${year}`]);
    await client.close();
  });
});
