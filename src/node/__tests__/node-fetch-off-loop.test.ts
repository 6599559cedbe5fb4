/**
 * An abort or a cancel that lands while a body read whole is inflated in Node's thread pool
 * (it says it inflates past one synchronous pass: `whole-body.ts`' `offLoop`). The moment is
 * hit without a timer: the test acts when zlib's one-shot inflate is handed the bytes (its
 * engine's `end()`, a method of Duplex, which copies Writable's), before its callback can
 * run, and then waits for that engine to finish,
 * so a result delivered to a reader that is gone would throw (an uncaught error) here.
 */
import { getEventListeners } from 'node:events';
import { Duplex } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Gunzip, gzipSync } from 'node:zlib';
import { afterEach, expect, it, vi } from 'vitest';
import { closeAll, failure, made, serve } from './helpers/loopback.ts';

afterEach(async () => {
  vi.restoreAllMocks();
  await closeAll();
});

// 4 MiB inflated: more than one pass may make (2 MiB), less than the off-loop limit (16 MiB).
const INFLATED = 4 * 1024 * 1024;
const GZ = gzipSync(Buffer.alloc(INFLATED, 'd'));

/** The gzip engine of the off-loop inflate, once it has been handed the body. */
function inflateStarted(): Promise<Gunzip> {
  const end = Duplex.prototype.end;
  return new Promise((resolve) => {
    vi.spyOn(Duplex.prototype, 'end').mockImplementation(function (this: Duplex, ...args: unknown[]) {
      const out = (end as (...a: unknown[]) => Duplex).apply(this, args);
      if (this instanceof Gunzip) resolve(this);
      return out;
    });
  });
}

async function gzipServer(): Promise<string> {
  const { url } = await serve((_req, res) => {
    res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': String(GZ.byteLength) });
    res.end(GZ);
  });
  return url;
}

/**
 * The engine done and its callback's turn past, with what was thrown outside any caller
 * meanwhile (a result enqueued on a reader that is gone: ERR_INVALID_STATE).
 */
async function settled(engine: Gunzip): Promise<unknown[]> {
  const thrown: unknown[] = [];
  const onThrown = (err: unknown): void => void thrown.push(err);
  process.on('uncaughtException', onThrown);
  try {
    await finished(engine).catch(() => undefined);
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('uncaughtException', onThrown);
  }
  return thrown;
}

it('undisturbed, the inflated body is read whole', async () => {
  const url = await gzipServer();
  const started = inflateStarted();
  const response = await made()(url);
  await started;
  expect((await response.arrayBuffer()).byteLength).toBe(INFLATED);
});

it('an abort during the inflate fails the read with its reason; the inflated body is dropped', async () => {
  const url = await gzipServer();
  const started = inflateStarted();
  const controller = new AbortController();
  const response = await made()(url, { signal: controller.signal });
  const read = response.arrayBuffer();
  const engine = await started;
  const reason = new Error('stopped by the caller');
  controller.abort(reason);
  expect(await failure(read)).toBe(reason);
  expect(await settled(engine)).toEqual([]);
  expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
});

it('a cancel during the inflate ends the read; the inflated body is dropped and the signal let go', async () => {
  const url = await gzipServer();
  const started = inflateStarted();
  const controller = new AbortController();
  const response = await made()(url, { signal: controller.signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const engine = await started;
  await reader.cancel();
  expect(await settled(engine)).toEqual([]);
  expect(await reader.read()).toEqual({ done: true, value: undefined });
  expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  controller.abort(new Error('after the cancel: nothing left to stop'));
  await new Promise((r) => setImmediate(r));
});
