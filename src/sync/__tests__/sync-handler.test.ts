import { describe, expect, it } from 'vitest';
import { formatHlc } from '../hlc.ts';
import { ProtocolError } from '../protocol.ts';
import { createMemoryServerStore, createSyncHandler } from '../server/index.ts';

const T = Date.UTC(2026, 10, 24, 15, 0, 0);
const msg = (n: number, clientId = 'A') => ({ hlc: formatHlc({ millis: T + n, counter: 0, clientId }), table: 't', row: `r${n}`, column: 'c', value: n });

describe('the sync handler', () => {
  it('pushes, then pulls, and tells the server whom to poke', async () => {
    const store = createMemoryServerStore();
    const handle = createSyncHandler({ store, now: () => T + 10 });
    await handle('u', { clientId: 'B', cursor: 0, messages: [msg(1, 'B')] });
    const out = await handle('u', { clientId: 'A', cursor: 0, limit: 10, messages: [msg(2), msg(3)] });
    expect(out).toMatchObject({ clientId: 'A', pushed: 2, stored: 2, maxId: 3 });
    expect(out.response).toMatchObject({ accepted: 2, cursor: 3, more: false, serverTime: new Date(T + 10).toISOString() });
    expect(out.response.messages.map((m) => m.id)).toEqual([1]);
  });

  it('does not let a client inflate the poke cursor with its own cursor', async () => {
    const handle = createSyncHandler({ store: createMemoryServerStore(), now: () => T + 10 });
    const out = await handle('u', { clientId: 'A', cursor: 1_000_000_000, messages: [msg(1)] });
    expect(out.maxId).toBe(1);
    expect(out.response.cursor).toBe(1_000_000_000);
  });

  it('refuses clock drift with the server clock and the index, storing nothing', async () => {
    const store = createMemoryServerStore();
    const handle = createSyncHandler({ store, now: () => T, maxDriftMs: 1000 });
    const err = (await handle('u', { clientId: 'A', cursor: 0, messages: [msg(1), msg(5000)] }).catch((e: unknown) => e)) as ProtocolError;
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err.toBody()).toEqual({ error: { code: 'clock_drift', message: expect.any(String), index: 1, serverTime: new Date(T).toISOString() } });
    expect(store.dump('u')).toEqual([]);
  });

  it('acknowledges a stored push even when the pull after it fails', async () => {
    const store = createMemoryServerStore();
    const errors: unknown[] = [];
    const failing = { ...store, pull: () => { throw new Error('disk gone'); } };
    const handle = createSyncHandler({ store: failing, now: () => T + 10, onPullError: (e) => errors.push(e) });
    const out = await handle('u', { clientId: 'A', cursor: 4, messages: [msg(1)] });
    expect(out.response).toMatchObject({ accepted: 1, cursor: 4, more: true, messages: [] });
    expect(store.dump('u')).toHaveLength(1);
    expect(errors).toEqual([new Error('disk gone')]);
    await expect(handle('u', { clientId: 'A', cursor: 4 })).rejects.toThrow('disk gone');
  });
});
