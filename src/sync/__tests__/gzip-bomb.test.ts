/**
 * A gzip bomb from a hostile server (round 67, attacker review): a 200 of a few hundred KB with
 * `Content-Encoding: gzip` that inflates to 256 MiB. The platform's `fetch` inflates it as it
 * is read, and its `Content-Length` is the small compressed size, so the declared length cannot
 * refuse it: what bounds it is the count of inflated bytes as they are read (answer-lines.ts).
 * `src/node/__tests__/node-fetch-bounded.test.ts` has the same over nodeFetch, line by line;
 * here the global fetch, a JSON text and lines, counted in the inflated bytes the remote took
 * from the body. Real HTTP on loopback.
 */
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { AnswerTooLargeError, createHttpRemote } from '../index.ts';
import type { FetchFn } from '../http-remote.ts';
import { answerBound } from '../answer-lines.ts';
import { closeServers, serve } from './harness/loopback.ts';

afterEach(closeServers);

const MiB = 1024 * 1024;
/** 256 MiB of spaces, inside a JSON string: whitespace-free JSON is not needed to be refused. */
const bomb = gzipSync(Buffer.concat([Buffer.from('{"accepted":0,"cursor":1,"more":false,"serverTime":"2026-12-07T12:00:00.000Z","messages":[],"x":"'), Buffer.alloc(256 * MiB, 0x20), Buffer.from('"}\n')]), { level: 9 });
const ok = { accepted: 0, cursor: 3, more: false, serverTime: '2026-12-07T12:00:00.000Z', messages: [] };

/** The global fetch, counting the inflated bytes read from each answer's body. */
function counting(): { fetch: FetchFn; bytes: number[] } {
  const bytes: number[] = [];
  return {
    bytes,
    fetch: async (url, init) => {
      const r = await fetch(url, init);
      const i = bytes.push(0) - 1;
      const count = new TransformStream<Uint8Array, Uint8Array>({ transform(chunk, c) { bytes[i] = (bytes[i] ?? 0) + chunk.length; c.enqueue(chunk); } });
      return new Response(r.body?.pipeThrough(count) ?? null, { status: r.status, headers: r.headers });
    },
  };
}

describe.each([['one JSON text', 'application/json'], ['lines', 'application/x-ndjson']])('a gzip bomb as %s', (_name, type) => {
  it('is refused for its size, read no further than each request\'s bound, and the next honest answer is read', async () => {
    expect(bomb.length).toBeLessThan(MiB);
    let honest = false;
    const url = await serve((_req, res) => {
      if (honest) return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(ok));
      res.writeHead(200, { 'Content-Type': type, 'Content-Encoding': 'gzip', 'Content-Length': String(bomb.length) }).end(bomb);
    });
    const c = counting();
    const asked: { limit: number; pages: number }[] = [];
    const remote = createHttpRemote({ url, token: 't', fetch: c.fetch, onAnswerTooLarge: (s) => asked.push(s) });
    const err = await remote.sync({ clientId: 'c', cursor: 0, limit: 4 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(AnswerTooLargeError);
    expect(err).toMatchObject({ code: 'invalid_response', status: 200 });
    // Asked again smaller (one page of 4, then 2, then 1), each read to its bound and no further
    // (the bound, and at most one chunk of the inflated stream past it).
    expect(asked).toEqual([{ limit: 4, pages: 1 }, { limit: 2, pages: 1 }, { limit: 1, pages: 1 }]);
    const bounds = [answerBound(4, 8), answerBound(4, 1), answerBound(2, 1), answerBound(1, 1)].map((b) => (type === 'application/json' ? b.bytes : b.line));
    expect(c.bytes).toHaveLength(4);
    c.bytes.forEach((n, i) => expect(n, `answer ${i}`).toBeLessThanOrEqual((bounds[i] as number) + MiB));
    expect(c.bytes.reduce((a, b) => a + b, 0)).toBeLessThan(16 * MiB);
    honest = true;
    expect(await remote.sync({ clientId: 'c', cursor: 0, limit: 4 })).toMatchObject({ cursor: 3, messages: [] });
  });
});
