/**
 * The pace asked of an answer (answer-pace.ts), on a bare Fastify app with only that hook, so
 * each rule shows alone and in a second or two: `unread-answers.test.ts` and
 * `pipelined-answers.test.ts` show the same over the sync route, at a cost of megabytes of
 * pushes per case. The client here is a raw socket, paused from its connection on: a socket
 * that never reads takes some hundred KB into the kernel's buffers and leaves the rest of an
 * 8 MiB answer unwritten. Round 58, from the mutants that survived round 57's run.
 *
 * The cuts run on a fake setTimeout (round 67: they asserted the time from request to cut
 * within 1.2 to 5 s, a timed assertion that load could fail): the clock moves when the test
 * moves it, so each case shows the answer still open a millisecond before its deadline, cut at
 * it, and in what order a pipelined answer's time starts. Sockets and the server stay real.
 */
import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerAnswerPace, type AnswerPace } from '../answer-pace.ts';
import { contextOf } from '../request-context.ts';

const MIB = 1024 * 1024;
const BIG = 8 * MIB;

/** What the server saw of one answer: whether and how it closed, and why. */
interface Seen {
  readonly path: string;
  /** Past the pace's hook: its time armed, or waiting for the connection. */
  sent?: boolean;
  closed?: boolean;
  finished?: boolean;
  gone?: string | undefined;
}

async function paceApp(pace: AnswerPace): Promise<{ app: FastifyInstance; port: number; seen: Seen[]; events: string[] }> {
  const app = Fastify();
  const seen: Seen[] = [];
  const events: string[] = [];
  registerAnswerPace(app, pace);
  app.addHook('onRequest', async (request, reply) => {
    const s: Seen = { path: request.url };
    // A runtime whose sockets have no reset (Node has had one since 16.17 and 18.3).
    if (request.url.includes('noReset')) Object.defineProperty(request.raw.socket, 'resetAndDestroy', { value: undefined });
    seen.push(s);
    reply.raw.once('finish', () => void events.push(`finished ${request.url}`));
    reply.raw.once('close', () => {
      s.closed = true;
      s.finished = reply.raw.writableFinished;
      s.gone = contextOf(request).gone;
    });
  });
  app.addHook('onSend', async (request, _reply, payload) => {
    const s = seen.find((x) => x.path === request.url && x.sent === undefined);
    if (s) s.sent = true;
    return payload;
  });
  app.get('/string', async (request, reply) => reply.type('text/plain').send('x'.repeat(Number((request.query as { size: string }).size))));
  app.get('/buffer', async (request, reply) => reply.type('application/octet-stream').send(Buffer.alloc(Number((request.query as { size: string }).size), 'y')));
  app.get('/stream', async (request, reply) => {
    const size = Number((request.query as { size: string }).size);
    const chunk = Buffer.alloc(64 * 1024, 'z');
    return reply.type('application/octet-stream').send(Readable.from((function* () { for (let at = 0; at < size; at += chunk.length) yield chunk; })()));
  });
  app.get('/empty', async (_request, reply) => reply.code(204).send());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { app, port: address.port, seen, events };
}

/** Sends `paths` pipelined on one socket that reads nothing until `resume()`. */
async function pausedClient(port: number, paths: readonly string[]): Promise<{
  socket: Socket;
  resume(): void;
  received(): string;
  ended: Promise<{ error: string | undefined }>;
}> {
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.pause();
  let text = '';
  let error: string | undefined;
  socket.on('error', (err: NodeJS.ErrnoException) => { error = err.code ?? err.message; });
  const ended = new Promise<{ error: string | undefined }>((resolve) => socket.once('close', () => resolve({ error })));
  socket.write(paths.map((p) => `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`).join(''));
  return {
    socket,
    resume() {
      socket.setEncoding('latin1').on('data', (d: string) => { text += d; });
      socket.resume();
    },
    received: () => text,
    ended,
  };
}

/** Waits (bounded) until `check` holds; returns whether it did. On the real clock, even with setTimeout faked. */
async function until(check: () => boolean, withinMs: number): Promise<boolean> {
  const end = performance.now() + withinMs;
  while (!check() && performance.now() < end) await sleep(20);
  return check();
}

/** Waits (bounded, by turns of the loop: setTimeout may be fake) until `check` holds. */
async function turnsUntil(check: () => boolean, label: string): Promise<void> {
  for (let turn = 0; turn < 20_000 && !check(); turn++) await new Promise((resolve) => setImmediate(resolve));
  if (!check()) throw new Error(`${label}: not within 20,000 turns of the loop`);
}

/**
 * With setTimeout fake: once `path`'s answer is in the socket and its time armed (the pace's
 * timer, the only one), moves the clock to a millisecond before `deadlineMs` and checks the
 * answer is still open, then to the deadline and waits for its close.
 */
async function cutAt(a: { seen: Seen[] }, index: number, deadlineMs: number): Promise<void> {
  await turnsUntil(() => vi.getTimerCount() === 1, 'the answer\'s time was not armed');
  vi.advanceTimersByTime(deadlineMs - 1);
  // Turns enough for a cut's close to be seen, had the timer fired.
  for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
  expect([a.seen[index]?.closed, a.seen[index]?.gone], 'closed before its deadline').toEqual([undefined, undefined]);
  vi.advanceTimersByTime(1);
  await turnsUntil(() => a.seen[index]?.closed === true, 'the answer was not cut at its deadline');
}

/** The statuses of the answers in `text`, in order. */
function statuses(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
}

describe('the pace of an answer', () => {
  let app: FastifyInstance | undefined;
  let client: Socket | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    client?.destroy();
    client = undefined;
    await app?.close();
    app = undefined;
  });

  // 0.3 s, plus 8 MiB at 8 MiB/s: 1.3 s. A string answer is sized in bytes, as a Buffer is
  // (answer-pace-rules.test.ts shows the other sizes and rates, to the millisecond too).
  for (const kind of ['string', 'buffer'] as const) {
    it(`cuts a ${kind} answer not taken within the grace plus a second per rate's worth of its bytes, with a reset`, async () => {
      const a = await paceApp({ graceMs: 300, minBytesPerSecond: 8 * MIB });
      app = a.app;
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const c = await pausedClient(a.port, [`/${kind}?size=${BIG}`]);
      client = c.socket;
      await cutAt(a, 0, 1300);
      expect(a.seen[0]).toMatchObject({ finished: false, gone: 'answer not taken in time' });
      vi.useRealTimers();
      // A reset, not a close: the client reading now gets an error, not the bytes the kernel
      // held for it followed by a clean end.
      c.resume();
      expect((await c.ended).error).toBe('ECONNRESET');
    }, 15_000);
  }

  it('closes an answer not taken all the same on a socket that cannot be reset', async () => {
    const a = await paceApp({ graceMs: 300, minBytesPerSecond: 8 * MIB });
    app = a.app;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const c = await pausedClient(a.port, [`/buffer?size=${BIG}&noReset`]);
    client = c.socket;
    await cutAt(a, 0, 1300);
    expect(a.seen[0]).toMatchObject({ finished: false, gone: 'answer not taken in time' });
  }, 15_000);

  it('leaves an answer taken in time whole, whatever its payload: a string, a Buffer, a stream, none', async () => {
    // A stream counts no bytes: 5 s for it, ample for 8 MiB on loopback, however loaded.
    const a = await paceApp({ graceMs: 5000, minBytesPerSecond: 8 * MIB });
    app = a.app;
    const sizes = { string: 2 * MIB, buffer: 2 * MIB, stream: BIG };
    for (const [kind, size] of Object.entries(sizes)) {
      const r = await fetch(`http://127.0.0.1:${a.port}/${kind}?size=${size}`);
      expect(r.status).toBe(200);
      expect((await r.arrayBuffer()).byteLength, kind).toBe(size);
    }
    const empty = await fetch(`http://127.0.0.1:${a.port}/empty`);
    expect(empty.status).toBe(204);
    expect(await empty.text()).toBe('');
    expect(await until(() => a.seen.length === 4 && a.seen.every((s) => s.closed === true), 4000)).toBe(true);
    expect(a.seen.map((s) => [s.finished, s.gone])).toEqual(Array.from({ length: 4 }, () => [true, undefined]));
  }, 15_000);

  it('runs a pipelined answer\'s time from when it gets the connection, not while it waits behind another', async () => {
    // The first answer's time: 0.5 s + 1 s; read from 1 s on. The second, small, would have had
    // 0.5 s from its request, while it waited unwritten. On a fake setTimeout (round 67: on the
    // real clock, a loaded machine could take the 0.5 s left to read 8 MiB, and cut the first).
    const a = await paceApp({ graceMs: 500, minBytesPerSecond: 8 * MIB });
    app = a.app;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const c = await pausedClient(a.port, [`/buffer?size=${BIG}`, '/string?size=1000']);
    client = c.socket;
    // Both asked, the first's time armed: a second timer, were the second's armed too, would be.
    await turnsUntil(() => a.seen.length === 2 && a.seen.every((s) => s.sent === true), 'the answers were not sent');
    vi.advanceTimersByTime(1000);
    c.resume();
    expect(await until(() => statuses(c.received()).length === 2 && c.received().endsWith('x'.repeat(1000)), 10_000), 'both answers arrived').toBe(true);
    expect(statuses(c.received())).toEqual([200, 200]);
    expect(a.seen.map((s) => s.gone), 'why each was cut').toEqual([undefined, undefined]);
  }, 15_000);

  it('cuts a pipelined answer not taken once it has the connection, at its own time', async () => {
    // The first answer is small: the kernel takes it at once, and the second starts then.
    const a = await paceApp({ graceMs: 300, minBytesPerSecond: 8 * MIB });
    app = a.app;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const c = await pausedClient(a.port, ['/string?size=1000', `/buffer?size=${BIG}`]);
    client = c.socket;
    // The first is taken, its timer cleared; the second's, armed then, is the one timer left.
    await turnsUntil(() => a.events.includes('finished /string?size=1000') && a.seen.length === 2, 'the first answer was not taken');
    await cutAt(a, 1, 1300);
    expect(a.seen.map((s) => [s.finished, s.gone])).toEqual([[true, undefined], [false, 'answer not taken in time']]);
    expect(a.events).toEqual(['finished /string?size=1000']);
  }, 15_000);
});
