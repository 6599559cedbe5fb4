/**
 * An answer holds no more pages than the request asked for (docs/protocol.md §5), on every path
 * the HTTP remote reads: lines, and one JSON text from a server that ignores the line framing.
 * Until round 61 the check of the pages asked sat in `parseSyncResponse` only, and the remote
 * held a single JSON text to the protocol's 8 pages: an app that asked for 2 pages had 3 applied.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteError, createHttpRemote, createSyncClient, type Remote } from '../index.ts';
import { closeServers, serve } from './harness/loopback.ts';
import { memory, schema } from './harness/test-kit.ts';

afterEach(closeServers);

const NOW = new Date().toISOString();
const hlc = (i: number): string => `${NOW}-${i.toString(16).toUpperCase().padStart(4, '0')}-otherdevice01`;
/** A columns page of message `id` (one step from the page before), its `cursor` and `more`. */
const page = (id: number, more: boolean) => ({ cursor: id, more, page: { names: ['lists', 'name'], cells: [1, hlc(id), 0, `r${id}`, 1, `v${id}`] } });
const first = { accepted: 0, serverTime: NOW, epoch: 'e1', format: 'columns', ...page(1, true) };
/** Three pages: as one JSON text (its `next`), or as lines. */
const single = JSON.stringify({ ...first, next: [page(2, true), page(3, false)] });
const lines = [first, page(2, true), page(3, false)].map((p) => `${JSON.stringify(p)}\n`).join('');

async function server(framed: boolean): Promise<string> {
  return serve((_req, res) => {
    res.writeHead(200, { 'Content-Type': framed ? 'application/x-ndjson' : 'application/json' });
    res.end(framed ? lines : single);
  });
}

describe.each([['one JSON text (a server that ignores the framing)', false], ['lines', true]] as const)('an answer of 3 pages to a request for 2: %s', (_name, framed) => {
  it('the remote refuses it (invalid_response)', async () => {
    const remote = createHttpRemote({ url: await server(framed), token: 't' });
    const err = await remote.sync({ clientId: 'c1', cursor: 0, pages: 2 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect(err).toMatchObject({ code: 'invalid_response', message: expect.stringContaining('more pages than the 2 asked for') });
    // Asked for 3, the same answer is one.
    expect((await remote.sync({ clientId: 'c1', cursor: 0, pages: 3 })).next).toHaveLength(2);
  });

  it('a client whose remote asks for 2: nothing applied, the cursor kept', async () => {
    const http = createHttpRemote({ url: await server(framed), token: 't' });
    const remote: Remote = { sync: (request, options) => http.sync({ ...request, pages: 2 }, options) };
    const client = await createSyncClient({ schema, store: memory(), autoSync: false, remote });
    try {
      await expect(client.sync()).rejects.toMatchObject({ code: 'invalid_response' });
      expect(client.status.cursor).toBe(0);
      expect(await client.history('lists', 'r1', 'name')).toEqual([]);
    } finally {
      await client.close();
    }
  });
});
