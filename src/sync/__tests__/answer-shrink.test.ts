/**
 * A server before round 60 whose store pages by count alone (docs/protocol.md §5, "Answer
 * bytes"): its page of 1,000 values of 44 KiB is 43 MiB, over the 40 MiB a client reads. Until
 * round 61 the client refused it and every answer after it, for ever, its cursor stuck. Now
 * the remote asks again for one page, then for half the messages a page, and the client syncs
 * everything, in smaller steps. A real HTTP server on loopback imitates that server: it honours
 * `limit` and `pages` and nothing of round 60, and gzips its answers, so that each case moves
 * a few hundred KB on the socket (the client still reads the answers' real bytes, inflated).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpRemote, createSyncClient } from '../index.ts';
import type { SyncRequest } from '../protocol.ts';
import { closeHostile, hostile } from './harness/hostile-server.ts';
import { memory, schema } from './harness/test-kit.ts';

afterEach(closeHostile);

const NOW = new Date().toISOString();
const BACKLOG = 1000;
const VALUE = 'x'.repeat(44 * 1024);
const hlc = (i: number): string => `${NOW}-${i.toString(16).toUpperCase().padStart(4, '0')}-otherdevice01`;
const value = (id: number): string => `${id}:${VALUE}`;

/** Messages `from`+1 to `to` of the backlog: a columns page (its line), or `messages`. */
function page(from: number, to: number, columns: boolean): Record<string, unknown> {
  const head = { cursor: to, more: to < BACKLOG };
  if (!columns) return { ...head, messages: Array.from({ length: to - from }, (_, k) => ({ id: from + k + 1, hlc: hlc(from + k + 1), table: 'lists', row: `r${from + k + 1}`, column: 'name', value: value(from + k + 1) })) };
  const cells: unknown[] = [];
  for (let id = from + 1; id <= to; id++) cells.push(1, hlc(id), 0, `r${id}`, 1, value(id));
  return { ...head, page: { names: ['lists', 'name'], cells } };
}

/**
 * The old server: pages by count alone, as many as asked (`framed`: columns pages in lines, as
 * the reference server of round 59; else one JSON text of `messages`, a server that ignores the
 * framing and the format). Logs each request's `limit` and `pages`.
 */
async function oldServer(framed: boolean): Promise<{ url: string; asked: string[] }> {
  const asked: string[] = [];
  hostile.server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const request = JSON.parse(text) as SyncRequest;
      const limit = request.limit ?? 1000;
      const pages = framed ? (request.pages ?? 1) : 1;
      asked.push(`${limit}x${request.pages ?? '-'}`);
      const lines: Record<string, unknown>[] = [];
      for (let at = request.cursor; lines.length < pages && (at < BACKLOG || lines.length === 0); at = Math.min(at + limit, BACKLOG)) lines.push(page(at, Math.min(at + limit, BACKLOG), framed));
      const first = { accepted: 0, serverTime: NOW, epoch: 'e1', ...(framed ? { format: 'columns' } : {}), ...lines[0] };
      const body = framed ? [first, ...lines.slice(1)].map((l) => `${JSON.stringify(l)}\n`).join('') : JSON.stringify(first);
      res.writeHead(200, { 'Content-Type': framed ? 'application/x-ndjson' : 'application/json', 'Content-Encoding': 'gzip' });
      res.end(gzipSync(body, { level: 1 }));
    });
  });
  await new Promise<void>((r) => hostile.server?.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(hostile.server?.address() as AddressInfo).port}`, asked };
}

describe.each([['columns pages in lines', true], ['one JSON text of `messages` (the framing ignored)', false]] as const)('a server before round 60 that pages by count alone: %s', (_name, framed) => {
  it('the client at its defaults syncs the whole backlog in smaller requests, and the remote says so', async () => {
    const { url, asked } = await oldServer(framed);
    const reports: unknown[] = [];
    const remote = createHttpRemote({ url, token: 't', timeoutMs: 20_000, onAnswerTooLarge: (size) => reports.push(size) });
    const client = await createSyncClient({ schema, store: memory(), autoSync: false, remote });
    hostile.clients.push(client);
    await client.sync();
    expect(client.status.cursor).toBe(BACKLOG);
    expect((await client.history('lists', `r${BACKLOG}`, 'name')).map((m) => m.value)).toEqual([value(BACKLOG)]);
    // 43 MiB refused; one page of it refused again; 500 messages (22 MiB) read, and kept to.
    expect(asked).toEqual(['1000x8', '1000x1', '500x1', '500x1']);
    expect(reports).toEqual([{ limit: 1000, pages: 1 }, { limit: 500, pages: 1 }]);
    // The next sync starts at the size learnt: no answer fetched to be refused.
    await client.sync();
    expect(asked.slice(4)).toEqual(['500x1']);
  }, 60_000);
});
