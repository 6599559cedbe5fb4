/**
 * Pipelined requests and the pace of answers (answer-pace.ts). A client that sends several
 * pulls at once on one connection gets their answers one after another; an answer waiting
 * behind another is not being written, so its time must not run meanwhile. Its clock started
 * at once (Fastify's onSend), so a client reading every answer faster than the pace asks had its
 * later answers cut, their connection reset. Each answer here takes 0.6 s at the reader's rate,
 * its bound is 1.75 s; the last of eight waited some 3 s (the kernel's buffers take the first few MB at once).
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, msg, untilPlaceBack, type TestServer } from './helpers/test-server.ts';

const VALUE = 'x'.repeat(60_000);
const PIPELINED = 8;
const MIB = 1024 * 1024;
/** The reader's rate: above the pace asked (4 MiB/s). */
const READ_BYTES_PER_SECOND = 5 * MIB;

/**
 * Counts HTTP/1.1 answers with a Content-Length as their bytes arrive, keeping only a head not
 * yet whole (joining all that arrived at every chunk made the reader too slow to keep its rate).
 */
function answerCounter(): { add(d: string): void; whole(): number; readonly statuses: number[]; readonly sizes: number[] } {
  let head = '';
  let remaining = 0;
  const statuses: number[] = [];
  const sizes: number[] = [];
  return {
    statuses,
    sizes,
    whole: () => statuses.length - (remaining > 0 ? 1 : 0),
    add(d: string) {
      let rest = d;
      while (rest.length > 0) {
        if (remaining > 0) {
          const take = Math.min(remaining, rest.length);
          remaining -= take;
          rest = rest.slice(take);
          continue;
        }
        head += rest;
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) break;
        statuses.push(Number(head.slice(9, 12)));
        remaining = Number(/\r\ncontent-length: (\d+)/i.exec(head.slice(0, end))?.[1] ?? 0);
        sizes.push(remaining);
        rest = head.slice(end + 4);
        head = '';
      }
    },
  };
}

describe('pipelined answers', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it('each answer\'s time runs from when it starts to be written, not while it waits behind another', async () => {
    t = await startTestServer({ env: { FIELDSYNC_BODY_TIMEOUT: '1s' }, answerMinBytesPerSecond: 4 * MIB });
    const messages = Array.from({ length: 50 }, (_, i) => msg('A', `r${i}`, VALUE));
    expect((await t.sync('alice', { clientId: 'A', cursor: 0, messages })).status).toBe(200);
    const token = await t.token('alice');

    const u = new URL(t.url);
    const socket = connect(Number(u.port), u.hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    const body = JSON.stringify({ clientId: 'reader', cursor: 0, limit: 5000 });
    const request = `POST /v1/sync HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    socket.write(request.repeat(PIPELINED));

    // Read at READ_BYTES_PER_SECOND: pause whenever ahead of it.
    const started = performance.now();
    let received = 0;
    const counter = answerCounter();
    let reset = false;
    const done = new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.once('error', () => { reset = true; });
    });
    socket.setEncoding('latin1').on('data', (d: string) => {
      counter.add(d);
      received += d.length;
      const aheadMs = (received / READ_BYTES_PER_SECOND) * 1000 - (performance.now() - started);
      if (aheadMs > 0) {
        socket.pause();
        setTimeout(() => socket.resume(), aheadMs);
      }
      if (counter.whole() === PIPELINED) socket.end();
    });
    const timer = setTimeout(() => socket.destroy(), 20_000);
    await done;
    clearTimeout(timer);

    expect(reset, 'the connection was reset').toBe(false);
    expect(counter.statuses).toEqual(Array.from({ length: PIPELINED }, () => 200));
    expect(counter.sizes[0]).toBeGreaterThan(3_000_000);
    expect(t.logs.filter((l) => l.ended === 'answer not taken in time')).toEqual([]);
  }, 30_000);

  it('answers waiting behind one not read go with it: the connection is reset, and every place comes back', async () => {
    t = await startTestServer({ env: { FIELDSYNC_BODY_TIMEOUT: '1s', FIELDSYNC_MAX_INFLIGHT_PER_USER: '3' }, answerMinBytesPerSecond: 4 * MIB });
    for (let p = 0; p < 3; p++) {
      const messages = Array.from({ length: 50 }, (_, i) => msg('A', `r${p}-${i}`, VALUE));
      expect((await t.sync('alice', { clientId: 'A', cursor: 0, messages })).status).toBe(200);
    }
    const u = new URL(t.url);
    const socket = connect(Number(u.port), u.hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.pause();
    socket.on('error', () => {});
    const body = JSON.stringify({ clientId: 'stalled', cursor: 0, limit: 5000 });
    const request = `POST /v1/sync HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Bearer ${await t.token('alice')}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    socket.write(request.repeat(3));
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await t.sync('alice', { clientId: 'B', cursor: 0, limit: 1 })).status).toBe(429);
      // The first answer, some 9 MB, is cut within 1 s + 9 MB at 4 MiB/s; the two behind it with it.
      expect((await untilPlaceBack(t, 'alice')).status, 'alice\'s places came back').toBe(200);
    } finally {
      socket.destroy();
    }
  }, 30_000);
});
