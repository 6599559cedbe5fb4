/**
 * A small answer of known length (`Content-Length` up to 1 MiB: every sync page) is read
 * whole into one buffer of that length and decoded in one synchronous pass when its last
 * byte is in, then handed to the reader as one chunk.
 *
 * Why: a sync page (76 KB of JSON, 7.7 KB gzipped) inflated by a zlib stream costs two round
 * trips to the thread pool (the data, then the final flush) plus the stream's machinery:
 * about 150 µs of process CPU against 55 µs for `gunzipSync` of the same bytes, and the
 * main thread pays more for the stream's bookkeeping (75 µs) than for the inflate itself.
 * One chunk also spares `text()` a read and a concat per socket chunk. Blocking the event
 * loop for the inflate is bounded: at most `WHOLE_OUTPUT` bytes (2 MiB, about 2-3 ms) come
 * out of one pass; a body that inflates to more is decoded in Node's thread pool (and one
 * over 16 MiB as a stream), from the bytes read. A gzip body says its size in its last 4
 * bytes: one that says more goes there at once, without a pass in vain. Up to round 9 a
 * pass could make 16 MiB (a page of large values: tens of ms of a blocked event loop). An
 * 8-page answer of the 100k-change pull (61 KB gzipped, 626 KB of JSON) is well within the
 * pass: 0.7-1 ms of CPU in one pass against 1.4-1.8 ms through the thread pool.
 * A body of unknown length (the poke stream) never comes here: it streams as it arrives.
 */
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { OPTIONS, decodedStream, type Coding } from './codings.ts';
import { feed, type AnswerBody } from './web-stream.ts';

/** The largest `Content-Length` read whole. */
export const WHOLE_LIMIT = 1024 * 1024;
/** The most one synchronous pass may produce; beyond it, the body is decoded off the event loop. */
export const WHOLE_OUTPUT = 2 * 1024 * 1024;
/** The most decoded off the event loop into one buffer; beyond it, the body is decoded as a stream. */
export const OFF_LOOP_OUTPUT = 16 * 1024 * 1024;

const ONE_PASS: Record<Coding, (bytes: Buffer, options: zlib.ZlibOptions & zlib.BrotliOptions) => Buffer> = {
  gzip: zlib.gunzipSync,
  deflate: zlib.inflateSync,
  br: zlib.brotliDecompressSync,
};

/**
 * What a gzip body says it inflates to (ISIZE, its last 4 bytes: the size mod 2^32 of its
 * last member), or null for another coding or a body too short to be gzip. Only a hint.
 */
const statedSize = (bytes: Buffer, coding: Coding | undefined): number | null =>
  coding === 'gzip' && bytes.byteLength >= 18 ? bytes.readUInt32LE(bytes.byteLength - 4) : null;

/**
 * A gzip body's output in one buffer of the size it says (ISIZE), one byte over so that the
 * pass ends with room to spare: zlib otherwise fills chunks of 128 KiB and joins them, and
 * that copy of an 8-page answer (626 KB) cost more than a third of the pass (800 → 510 µs).
 * Only a hint: a body that says less (or has several members) comes out in more chunks,
 * joined as before, and one that says more than it holds costs a larger buffer, at most
 * WHOLE_OUTPUT.
 */
function chunkFor(bytes: Buffer, coding: Coding): number {
  const size = statedSize(bytes, coding);
  return size === null ? OPTIONS[coding].chunkSize : Math.max(64, Math.min(size, WHOLE_OUTPUT) + 1);
}

function decodeWhole(bytes: Buffer, steps: readonly Coding[]): Buffer {
  let out = bytes;
  for (const coding of steps) out = ONE_PASS[coding](out, { ...OPTIONS[coding], maxOutputLength: WHOLE_OUTPUT, chunkSize: chunkFor(out, coding) });
  return out;
}

type Callback = (err: Error | null, out: Buffer) => void;
const OFF_LOOP: Record<Coding, (bytes: Buffer, options: zlib.ZlibOptions & zlib.BrotliOptions, then: Callback) => void> = {
  gzip: zlib.gunzip,
  deflate: zlib.inflate,
  br: zlib.brotliDecompress,
};

const tooLarge = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE';

/**
 * Whether a body of gzip alone says (statedSize) it inflates to more than one pass may make.
 * Only a hint: a body that lies is still bounded by the pass's limit, and decoded the same
 * either way.
 */
function saysLarge(bytes: Buffer, steps: readonly Coding[]): boolean {
  return steps.length === 1 && (statedSize(bytes, steps[0]) ?? 0) > WHOLE_OUTPUT;
}

/**
 * `bytes` decoded in Node's thread pool, in one buffer of at most `OFF_LOOP_OUTPUT` bytes
 * (zlib's one-shot API with 1 MiB chunks: a 128 KiB stream cost the event loop about 100 µs
 * per chunk, 6-9 ms for an 8 MB page, against 0.5 ms this way).
 */
function decodeOffLoop(bytes: Buffer, steps: readonly Coding[], then: (err: unknown, out: Buffer) => void): void {
  const [coding, ...rest] = steps;
  if (coding === undefined) return then(null, bytes);
  OFF_LOOP[coding](bytes, { ...OPTIONS[coding], chunkSize: 1024 * 1024, maxOutputLength: OFF_LOOP_OUTPUT }, (err, out) => {
    if (err) then(err, bytes);
    else decodeOffLoop(out, rest, then);
  });
}

export function wholeBody(res: IncomingMessage, length: number, steps: readonly Coding[], failure: (err: unknown) => unknown, done: () => void): AnswerBody {
  const bytes = Buffer.allocUnsafe(length);
  let at = 0;
  // What is being read: the answer, or (for a body too large for one buffer) its decoder.
  let source: Readable = res;
  let detach = (): void => {};
  // Set while the body is inflated off the event loop: ends the reader with `err` (or, with
  // none, only lets it go: it was cancelled), and drops the result when it comes.
  let drop: ((err?: Error) => void) | null = null;
  // Node's parser passes no more than `Content-Length` bytes and fails a shorter body; a
  // longer one would be cut, so it fails instead of handing over part of it.
  const onData = (chunk: Buffer): void => {
    if (at + chunk.byteLength > length) res.destroy(new Error(`more bytes than the Content-Length of ${length}`));
    else at += chunk.copy(bytes, at);
  };
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const onError = (err: unknown): void => {
        done();
        controller.error(failure(err));
      };
      const deliver = (out: Buffer): void => {
        done();
        if (out.byteLength > 0) controller.enqueue(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
        controller.close();
      };
      const streamed = (read: Buffer): void => {
        source = decodedStream(Readable.from([read], { objectMode: false }), steps);
        detach = feed(source, controller, failure, done);
      };
      const offLoop = (read: Buffer): void => {
        let live = true;
        drop = (err) => {
          live = false;
          drop = null;
          if (err) onError(err);
        };
        decodeOffLoop(read, steps, (err, out) => {
          if (!live) return;
          drop = null;
          if (err === null) deliver(out);
          else if (tooLarge(err)) streamed(read);
          else onError(err);
        });
      };
      const onEnd = (): void => {
        const read = bytes.subarray(0, at);
        if (saysLarge(read, steps)) return offLoop(read);
        let out: Buffer;
        try {
          out = decodeWhole(read, steps);
        } catch (err) {
          return tooLarge(err) ? offLoop(read) : onError(err);
        }
        deliver(out);
      };
      res.on('data', onData).once('end', onEnd).once('error', onError);
      detach = () => void res.off('data', onData).off('end', onEnd).off('error', onError);
    },
    pull() {
      if (source !== res) source.resume(); // the answer itself is never paused
    },
    cancel() {
      detach();
      if (drop !== null) drop();
      done();
      source.destroy();
    },
  });
  return { stream, stop: (err) => void (drop !== null ? drop(err) : source.destroy(err)) };
}
