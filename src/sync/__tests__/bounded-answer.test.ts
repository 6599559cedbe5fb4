/**
 * What the client reads of one sync answer is bounded (security finding S-59, docs/security.md):
 * a real HTTP server on loopback streams an endless or oversized answer. Before the bound the
 * client read an endless line, endless lines or an endless JSON text until the timeout, its
 * memory growing with every byte; now the sync fails promptly with the bad-answer error
 * (RemoteError, `invalid_response`), having read little, the store is unchanged, and the next
 * good answer syncs.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteError, createHttpRemote, createSyncClient } from '../index.ts';
import { answerBound, readAnswer } from '../answer-lines.ts';
import { memory, schema } from './harness/test-kit.ts';
import { closeHostile, hostile } from './harness/hostile-server.ts';

/** How much a server writes at most (the test's own bound): far past the client's bound for `limit: 2`. */
const SERVER_CAP = 64 * 1024 * 1024;
const CHUNK = 'x'.repeat(64 * 1024);
const NOW = new Date().toISOString();
const HLC = `${NOW}-0000-otherdevice01`;
const good = JSON.stringify({ accepted: 0, cursor: 1, more: false, serverTime: NOW, epoch: 'e1', messages: [{ id: 1, hlc: HLC, table: 'todos', row: 'r1', column: 'title', value: 'from the server' }] });
const PAGE_HEAD = `{"accepted":0,"cursor":0,"more":true,"serverTime":"${NOW}","epoch":"e1","format":"columns","page":`;

type Mode = 'endless-line' | 'endless-lines' | 'endless-json' | 'too-many' | 'good';

/** Writes `piece()` until the client goes, or the cap: the bytes written are counted. */
function stream(res: ServerResponse, written: { bytes: number }, piece: () => string): void {
  const pump = (): void => {
    while (!res.destroyed && written.bytes < SERVER_CAP) {
      const text = piece();
      written.bytes += Buffer.byteLength(text);
      if (!res.write(text)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

afterEach(closeHostile);

async function serve(): Promise<{ url: string; mode: { now: Mode }; written: { bytes: number } }> {
  const mode = { now: 'good' as Mode };
  const written = { bytes: 0 };
  hostile.server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      written.bytes = 0;
      const lines = mode.now === 'endless-line' || mode.now === 'endless-lines';
      res.writeHead(200, { 'Content-Type': lines ? 'application/x-ndjson' : 'application/json' });
      if (mode.now === 'good') return void res.end(good);
      if (mode.now === 'too-many') {
        const messages = [1, 2, 3].map((id) => ({ id, hlc: HLC.replace('0000', `000${id}`), table: 'todos', row: `r${id}`, column: 'title', value: 'x' }));
        return void res.end(JSON.stringify({ accepted: 0, cursor: 3, more: false, serverTime: NOW, epoch: 'e1', messages }));
      }
      // One line that never ends (a page's string that goes on), lines without end, or one JSON text without end.
      if (mode.now === 'endless-line') res.write(`${PAGE_HEAD}{"s":"`);
      if (mode.now === 'endless-json') res.write(`{"accepted":0,"cursor":0,"more":false,"serverTime":"${NOW}","messages":[],"padding":"`);
      stream(res, written, mode.now === 'endless-lines' ? () => `${PAGE_HEAD}{}}\n` : () => CHUNK);
    });
  });
  await new Promise<void>((r) => hostile.server?.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(hostile.server?.address() as AddressInfo).port}`, mode, written };
}

describe('one sync answer is read within a bound', () => {
  it.each<Mode>(['endless-line', 'endless-lines', 'endless-json', 'too-many'])('%s: the sync fails promptly as a bad answer, nothing applied, and the next good answer syncs', async (bad) => {
    const { url, mode, written } = await serve();
    const client = await createSyncClient({ schema, store: memory(), autoSync: false, pullLimit: 2, remote: createHttpRemote({ url, token: 't', timeoutMs: 20_000 }) });
    hostile.clients.push(client);
    mode.now = bad;
    const err = await client.sync().then(() => null, (e: unknown) => e);
    // Refused by the bound, not by the 20 s timeout (that would be a NetworkError): which error,
    // and the bytes the server got to write, say the read stopped early (round 67: was `< 5000 ms`).
    expect(err).toBeInstanceOf(RemoteError);
    expect(err).toMatchObject({ code: 'invalid_response' });
    // The client stopped reading: the server wrote a few MB at most, not its cap.
    expect(written.bytes).toBeLessThan(8 * 1024 * 1024);
    expect(client.status.cursor).toBe(0);
    expect(await client.history('todos', 'r1', 'title')).toEqual([]);

    mode.now = 'good';
    await client.sync();
    expect(client.status.cursor).toBe(1);
    expect((await client.history('todos', 'r1', 'title')).map((m) => m.value)).toEqual(['from the server']);
  }, 30_000);
});

/** An endless ndjson body of `piece` after `first`, counting the bytes pulled from it, and whether it was cancelled. */
function endless(first: string, piece: string): { response: Response; pulled: () => number; cancelled: () => boolean } {
  let pulled = 0;
  let cancelled = false;
  const bytes = [first, piece].map((t) => new TextEncoder().encode(t));
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      const next = (pulled === 0 ? bytes[0] : bytes[1]) as Uint8Array;
      pulled += next.length;
      if (pulled > SERVER_CAP) return c.close();
      c.enqueue(next);
    },
    cancel() {
      cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { response: new Response(body, { headers: { 'Content-Type': 'application/x-ndjson' } }), pulled: () => pulled, cancelled: () => cancelled };
}

describe('the bounds of one answer read from its stream, for `limit: 2` and 8 pages', () => {
  const bound = answerBound(2, 8);
  const refused = { code: 'invalid_response', status: 200 };

  it('a line under way: one page, far below the whole answer, and the body is cancelled there', async () => {
    expect(bound.bytes).toBe(8 * bound.line);
    const body = endless(PAGE_HEAD, CHUNK);
    await expect(readAnswer(body.response, undefined, bound)).rejects.toMatchObject(refused);
    expect(body.cancelled()).toBe(true);
    expect(body.pulled()).toBeLessThanOrEqual(bound.line + 2 * CHUNK.length);
  });

  it('lines: no more than the pages asked for', async () => {
    const line = `${PAGE_HEAD}{}}\n`;
    const body = endless(line, line);
    await expect(readAnswer(body.response, undefined, bound)).rejects.toMatchObject(refused);
    expect(body.cancelled()).toBe(true);
    expect(body.pulled()).toBe(9 * line.length);
  });

  it('blank lines (ignored, never counted): the whole answer\'s bytes', async () => {
    const body = endless('\n', '\n'.repeat(CHUNK.length));
    await expect(readAnswer(body.response, undefined, bound)).rejects.toMatchObject(refused);
    expect(body.cancelled()).toBe(true);
    expect(body.pulled()).toBeLessThanOrEqual(bound.bytes + CHUNK.length + 1);
  });
});
