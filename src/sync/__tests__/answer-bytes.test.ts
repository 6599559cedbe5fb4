/**
 * The protocol's bound on an answer's bytes (round 60, docs/protocol.md §5, "Answer bytes"),
 * on the client, over real HTTP on loopback. Before it the client read one line of up to
 * `limit` × 160 KiB (156 MiB at the default 1,000 messages) and an answer of 8 of them: a
 * server that sent a valid-looking page of 1,000 values of 44 KiB (43 MiB) had it read, held and
 * applied. Now such an answer is a bad answer (`invalid_response`), nothing applied, the body
 * cancelled near the bound; an answer of a server before round 60 within the rule (a page cut at
 * 8 MiB of values as stored, in a CJK script: 24 MiB of UTF-8) still syncs.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AnswerTooLargeError, RemoteError, createHttpRemote, createSyncClient, type SyncClient } from '../index.ts';
import { MAX_ANSWER_BYTES } from '../protocol.ts';
import { memory, schema } from './harness/test-kit.ts';
import { closeHostile, hostile } from './harness/hostile-server.ts';

const NOW = new Date().toISOString();
const hlc = (i: number): string => `${NOW}-${i.toString(16).toUpperCase().padStart(4, '0')}-otherdevice01`;

/** A columns page of `n` values of `value` in lists.name (a column with no length limit), ids 1 to n. */
function columnsLine(n: number, value: string): string {
  const cells: unknown[] = [];
  for (let i = 1; i <= n; i++) cells.push(1, hlc(i), 0, `r${i}`, 1, value);
  return `${JSON.stringify({ accepted: 0, cursor: n, more: false, serverTime: NOW, epoch: 'e1', format: 'columns', page: { names: ['lists', 'name'], cells } })}\n`;
}

/** The same messages as one `messages` page in one JSON text, as a server before columns pages answers. */
function messagesText(n: number, value: string): string {
  const messages = Array.from({ length: n }, (_, k) => ({ id: k + 1, hlc: hlc(k + 1), table: 'lists', row: `r${k + 1}`, column: 'name', value }));
  return JSON.stringify({ accepted: 0, cursor: n, more: false, serverTime: NOW, epoch: 'e1', messages });
}

afterEach(closeHostile);

const EMPTY = JSON.stringify({ accepted: 0, cursor: 0, more: false, serverTime: NOW, epoch: 'e1', messages: [] });

/**
 * Answers syncs with `body` (of `type`), written in pieces of 1 MiB, with its Content-Length if
 * `length`; with an empty answer from the `once`-th request on. Counts what the client let it
 * write of the last, and logs each request's `limit` and `pages`.
 */
async function serve(type: string, body: Buffer, { length = false, once = Infinity } = {}): Promise<{ url: string; written: { bytes: number }; asked: string[] }> {
  const written = { bytes: 0 };
  const asked: string[] = [];
  hostile.server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const { limit, pages } = JSON.parse(text) as { limit?: number; pages?: number };
      asked.push(`${limit ?? '-'}x${pages ?? '-'}`);
      if (asked.length > once) return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(EMPTY);
      written.bytes = 0;
      res.writeHead(200, { 'Content-Type': type, ...(length ? { 'Content-Length': body.length } : {}) });
      let at = 0;
      const pump = (): void => {
        while (!res.destroyed && at < body.length) {
          const piece = body.subarray(at, at + (1 << 20));
          at += piece.length;
          written.bytes += piece.length;
          if (!res.write(piece)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
  });
  await new Promise<void>((r) => hostile.server?.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(hostile.server?.address() as AddressInfo).port}`, written, asked };
}

async function client(url: string): Promise<SyncClient> {
  // The defaults: pullLimit 1,000, 8 pages an answer.
  const c = await createSyncClient({ schema, store: memory(), autoSync: false, remote: createHttpRemote({ url, token: 't', timeoutMs: 20_000 }) });
  hostile.clients.push(c);
  return c;
}

describe('an answer over the protocol\'s bytes (40 MiB) is refused at the defaults', () => {
  it('a page of 1,000 values of 60 KiB, one line of 59 MiB: refused, nothing of it applied, read no further than the bound; the remote asks again for one page', async () => {
    const body = Buffer.from(columnsLine(1000, 'x'.repeat(60 * 1024)));
    expect(body.length).toBeGreaterThan(MAX_ANSWER_BYTES);
    const { url, written, asked } = await serve('application/x-ndjson', body, { once: 1 });
    const c = await client(url);
    await c.sync();
    // Cancelled at the bound: the server wrote little past it (what the socket's buffers took).
    expect(written.bytes).toBeLessThan(MAX_ANSWER_BYTES + 8 * 1024 * 1024);
    expect(asked).toEqual(['1000x8', '1000x1']);
    expect(c.status.cursor).toBe(0);
    expect(await c.history('lists', 'r1', 'name')).toEqual([]);
  }, 30_000);

  it('a server that answers the same 59 MiB JSON text of `messages` (with its Content-Length) whatever is asked: down to one message a page, then a permanent error, nothing applied', async () => {
    const { url, asked } = await serve('application/json', Buffer.from(messagesText(1000, 'x'.repeat(60 * 1024))), { length: true });
    const c = await client(url);
    const err = await c.sync().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(AnswerTooLargeError); // a RemoteError still, for the catches written before round 62
    expect(err).toBeInstanceOf(RemoteError);
    expect(err).toMatchObject({ code: 'invalid_response', status: 200, transient: false, message: expect.stringContaining('no smaller request can be read') });
    expect(asked).toEqual(['1000x8', '1000x1', '500x1', '250x1', '125x1', '63x1', '32x1', '16x1', '8x1', '4x1', '2x1', '1x1']);
    expect(c.status.cursor).toBe(0);
  }, 30_000);
});

describe('compatibility: an answer within the rule, as servers before round 60 sent them, still syncs', () => {
  it('one `messages` page of 400 values of 21,000 CJK characters (63 KB each, 24 MiB: a page cut at 8 MiB of values as stored)', async () => {
    const value = '漢'.repeat(21_000);
    const body = Buffer.from(messagesText(400, value));
    expect(body.length).toBeGreaterThan(24 * 1024 * 1024);
    expect(body.length).toBeLessThan(MAX_ANSWER_BYTES);
    const { url } = await serve('application/json; charset=utf-8', body);
    const c = await client(url);
    await c.sync();
    expect(c.status.cursor).toBe(400);
    expect((await c.history('lists', 'r400', 'name')).map((m) => m.value)).toEqual([value]);
  }, 30_000);
});
