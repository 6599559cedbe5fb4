/**
 * A body sent a few bytes a segment is kept in a few buffers, not one per read (round 64,
 * attacker review, a client with a valid token: chunk-list.ts). Real sockets on loopback: the
 * client writes 200,000 bytes four at a time, letting the server read between them, as a
 * paced sender makes it; the server reads the body with readBody.
 */
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readBody, type BodyLimits } from '../body-reader.ts';

const LIMITS: BodyLimits = { maxBytes: 1 << 20, graceMs: 60_000, minBytesPerSecond: 1, idleMs: 10_000, drainBytes: 0 };
let server: Server | null = null;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

describe('a body that arrives in tiny pieces', () => {
  it('is kept in 64 KiB buffers past its first 64 reads, whole and in order (200,000 bytes, 4 a write)', async () => {
    const body = Buffer.from(Array.from({ length: 200_000 }, (_, i) => 'abcdefghij'[i % 10]).join(''));
    let got = null as { parts: number; whole: boolean } | null;
    server = createServer((req, res) => {
      void readBody(req, LIMITS).then((b) => {
        const parts = b.parts().length;
        got = { parts, whole: b.bytes().equals(body) };
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const socket = connect((server.address() as { port: number }).port, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise((r) => socket.once('connect', r));
    socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`);
    for (let i = 0; i < body.length; i += 4) {
      socket.write(body.subarray(i, i + 4));
      await new Promise((r) => setImmediate(r)); // the server reads what came, alone
    }
    await new Promise((r) => socket.once('data', r));
    socket.destroy();
    // Before: one Buffer per read (about 36,000 for 300 KB here), 220 bytes of heap each.
    // The first 64 reads are kept as they came (an ordinary body is never copied), then 64 KiB each.
    expect(got).toMatchObject({ whole: true });
    expect(got?.parts).toBeLessThanOrEqual(64 + Math.ceil(body.length / 65_536));
  }, 60_000);
});
