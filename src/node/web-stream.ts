/** A Node stream as the web `ReadableStream` a `Response` body is. */
import type { Readable } from 'node:stream';

/** What the reader of a body gets, and how the caller stops it (an abort while it arrives). */
export interface AnswerBody {
  readonly stream: ReadableStream<Uint8Array>;
  stop(err: Error): void;
}

/**
 * A web stream over a Node one: chunks are enqueued as they arrive, the Node stream paused
 * while the reader is behind, and destroyed when the reader cancels.
 */
export function webStream(source: Readable, failure: (err: unknown) => unknown, done: () => void): ReadableStream<Uint8Array> {
  let detach = (): void => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      detach = feed(source, controller, failure, done);
    },
    pull() {
      source.resume();
    },
    cancel() {
      detach();
      done();
      source.destroy();
    },
  });
}

/**
 * Passes `source`'s chunks, end and failure on to a web stream's controller, until it ended,
 * failed, or the returned function detaches it (the reader cancelled). After that, a chunk
 * the Node stream had already buffered (a destroyed stream may still emit one) is dropped:
 * on a closed or errored controller it would throw outside any caller.
 */
export function feed(source: Readable, controller: ReadableStreamDefaultController<Uint8Array>, failure: (err: unknown) => unknown, done: () => void): () => void {
  let live = true;
  const onData = (chunk: Buffer): void => {
    if (!live) return;
    controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((controller.desiredSize ?? 1) <= 0) source.pause();
  };
  const onEnd = (): void => {
    live = false;
    done();
    controller.close();
  };
  const onError = (err: unknown): void => {
    live = false;
    done();
    controller.error(failure(err));
  };
  source.on('data', onData).once('end', onEnd).once('error', onError);
  return () => {
    live = false;
    source.off('data', onData).off('end', onEnd).off('error', onError);
  };
}
