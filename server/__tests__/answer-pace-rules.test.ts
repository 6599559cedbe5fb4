/**
 * The pace asked of an answer (answer-pace.ts) to the millisecond, with the timers faked
 * (round 66, from its first run in `stryker.config.json`'s list): `answer-pace.test.ts` shows
 * the cut on a real clock, within wide bounds; here the clock moves only when the test moves
 * it, so an answer is seen whole one millisecond before its deadline and cut at it. Sockets
 * and the server are real (a bare Fastify app with only the hook, a raw client on loopback
 * that never reads); only setTimeout and clearTimeout are fake. No timed assertion.
 */
import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerAnswerPace, type AnswerPace } from '../answer-pace.ts';
import { contextOf } from '../request-context.ts';

const MIB = 1024 * 1024;
const BIG = 8 * MIB; // more than the kernel takes from a client that never reads

/** Waits (bounded, by turns of the loop: the timers are fake) until `check` holds. */
async function turnsUntil(check: () => boolean, label: string): Promise<void> {
  for (let turn = 0; turn < 20_000 && !check(); turn++) await new Promise((resolve) => setImmediate(resolve));
  if (!check()) throw new Error(`${label}: not within 20,000 turns of the loop`);
}

interface Asked {
  readonly request: FastifyRequest;
  /** The hook after the pace's own ran: the answer's timer is set, if it is to be now. */
  sent: boolean;
  finished?: boolean;
}

async function paceApp(pace: AnswerPace): Promise<{ app: FastifyInstance; port: number; asked: Asked[] }> {
  const app = Fastify();
  const asked: Asked[] = [];
  registerAnswerPace(app, pace);
  app.addHook('onRequest', async (request, reply) => {
    const a: Asked = { request, sent: false };
    asked.push(a);
    reply.raw.once('finish', () => (a.finished = true));
  });
  app.addHook('onSend', async (request, _reply, payload) => {
    const a = asked.find((x) => x.request === request);
    if (a) a.sent = true;
    return payload;
  });
  app.get('/ascii', async (_request, reply) => reply.type('text/plain').send('x'.repeat(BIG)));
  // 4 Mi characters of two bytes each: 8 MiB, as the ASCII one, in half its characters.
  app.get('/accents', async (_request, reply) => reply.type('text/plain').send('é'.repeat(BIG / 2)));
  app.get('/buffer', async (_request, reply) => reply.type('application/octet-stream').send(Buffer.alloc(BIG, 'y')));
  app.get('/stream', async (_request, reply) => {
    const chunk = Buffer.alloc(64 * 1024, 'z');
    return reply.type('application/octet-stream').send(Readable.from((function* () { for (let at = 0; at < BIG; at += chunk.length) yield chunk; })()));
  });
  app.get('/small', async (_request, reply) => reply.type('text/plain').send('ok'));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { app, port: address.port, asked };
}

/** A raw client that sends `paths` pipelined and never reads. */
async function neverReads(port: number, paths: readonly string[]): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.pause();
  socket.on('error', () => {});
  socket.write(paths.map((p) => `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`).join(''));
  return socket;
}

const cut = (a: Asked | undefined): boolean => a !== undefined && contextOf(a.request).gone === 'answer not taken in time';

describe('the deadline of an answer, to the millisecond', () => {
  let app: FastifyInstance | undefined;
  let client: Socket | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    client?.destroy();
    client = undefined;
    await app?.close();
    app = undefined;
  });

  // grace 300 ms + 8 MiB at 8 MiB/s (1 s) = 1,300 ms; at 4 MiB/s, 2,300 ms.
  for (const [path, pace, deadline] of [
    ['/ascii', { graceMs: 300, minBytesPerSecond: 8 * MIB }, 1300],
    ['/accents', { graceMs: 300, minBytesPerSecond: 8 * MIB }, 1300], // bytes, not characters
    ['/buffer', { graceMs: 300, minBytesPerSecond: 8 * MIB }, 1300],
    ['/buffer', { graceMs: 300, minBytesPerSecond: 4 * MIB }, 2300],
    ['/buffer', { graceMs: 1000, minBytesPerSecond: 8 * MIB }, 2000],
    ['/stream', { graceMs: 300, minBytesPerSecond: 8 * MIB }, 300], // a stream counts no bytes
  ] as const) {
    it(`cuts ${path} at grace ${pace.graceMs} ms + its bytes at ${pace.minBytesPerSecond / MIB} MiB/s: ${deadline} ms, not a millisecond before`, async () => {
      const a = await paceApp(pace);
      app = a.app;
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      client = await neverReads(a.port, [path]);
      await turnsUntil(() => a.asked[0]?.sent === true, 'the answer was not sent');
      const socket = a.asked[0]?.request.raw.socket;
      vi.advanceTimersByTime(deadline - 1);
      expect(cut(a.asked[0]), 'cut before its deadline').toBe(false);
      expect(socket?.destroyed).toBe(false);
      vi.advanceTimersByTime(1);
      expect(cut(a.asked[0]), 'not cut at its deadline').toBe(true);
      expect(socket?.destroyed).toBe(true);
      expect(a.asked[0]?.finished).toBeUndefined();
    }, 20_000);
  }

  it('leaves no timer behind an answer taken, nor behind one whose client went away', async () => {
    const a = await paceApp({ graceMs: 300, minBytesPerSecond: 8 * MIB });
    app = a.app;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    client = await neverReads(a.port, ['/small']);
    await turnsUntil(() => a.asked[0]?.finished === true, 'the small answer was not taken');
    // The client's going away, before its answer's deadline.
    const gone = await neverReads(a.port, ['/buffer']);
    await turnsUntil(() => a.asked[1]?.sent === true, 'the answer was not sent');
    gone.destroy();
    await turnsUntil(() => a.asked[1]?.request.raw.socket.destroyed === true, 'the connection did not close');
    await turnsUntil(() => vi.getTimerCount() === 0, 'a timer is left');
    vi.advanceTimersByTime(10_000);
    expect(a.asked.map((x) => contextOf(x.request).gone)).toEqual([undefined, undefined]);
  }, 20_000);
});
