/**
 * The app core runs in Node (Electron's main process, the browser host), so it talks to the
 * server through `fieldsync/node`'s nodeFetch, not Node's global fetch: syncs and the poke
 * stream alike, with the simulated network still in between.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Row } from '../../../shared/app-rows.ts';
import { call, useCores } from '../../../../test-support/core-fixture.ts';
import { useRealServer } from '../../../../test-support/real-server.ts';

const server = useRealServer();
const cores = useCores();
afterEach(() => void vi.unstubAllGlobals());

describe('the app core\'s transport', () => {
  it('syncs and gets pokes over node:http, never calling the global fetch', async () => {
    const globalFetch = vi.fn(fetch);
    vi.stubGlobal('fetch', globalFetch);
    const token = await server.token('transport');
    const a = await cores.open({ profile: 'a', serverUrl: server.url, token, sync: { intervalMs: 600_000 } });
    const b = await cores.open({ profile: 'b', serverUrl: server.url, token, sync: { intervalMs: 600_000 } });
    const list = await call<Row<'lists'>>(a, 'create', 'lists', { name: 'Groceries' });
    // b hears of it by its poke stream (its interval is 10 minutes away).
    await expect.poll(async () => (await call<Row<'lists'>[]>(b, 'rows', 'lists', {})).map((l) => l.id), { timeout: 5000 }).toEqual([list.id]);
    expect(globalFetch).not.toHaveBeenCalled();
  });
});
