/**
 * Answers a client does not take. Node writes an answer into the socket and keeps whatever the
 * kernel does not take in the process, with no time limit: a client that sends a pull and then
 * never reads (or reads a segment now and then) held its answer, up to a page of 8 MiB, in the
 * server's memory, and its user's place among the requests in flight (answered, for these
 * bounds, once the answer is written), for as long as its connection stayed open: for ever, as
 * a peer that keeps its window shut keeps its connection alive. Sixteen such pulls locked their
 * user out and held some 140 MiB of the server's memory per token.
 *
 * So an answer is held to the pace asked of a request body (body-reader.ts): it must be taken
 * whole within the body timeout, plus a second for every minimal rate's worth of its bytes.
 * Past that, its connection is reset: the memory and the places go back, and the client, if
 * it was only slow, gets a network error and retries as after any cut. Event streams are not
 * answers: they have a bound of their own on what they hold (event-streams.ts).
 */
import type { FastifyInstance } from 'fastify';
import { contextOf } from './request-context.ts';

export interface AnswerPace {
  /** How long any answer may take to be taken, in ms. */
  readonly graceMs: number;
  /** After that, the least average rate, in bytes per second. */
  readonly minBytesPerSecond: number;
}

/** The bytes an `onSend` payload will write (a stream, which no route sends, counts none). */
function payloadBytes(payload: unknown): number {
  if (typeof payload === 'string') return Buffer.byteLength(payload);
  return payload instanceof Uint8Array ? payload.byteLength : 0;
}

/** Registers the hook that closes the connection of an answer not taken at `pace`. */
export function registerAnswerPace(fastify: FastifyInstance, pace: AnswerPace): void {
  fastify.addHook('onSend', async (request, reply, payload) => {
    const res = reply.raw;
    const deadlineMs = pace.graceMs + (payloadBytes(payload) / pace.minBytesPerSecond) * 1000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = (): void => {
      timer = setTimeout(() => {
        if (res.writableFinished || res.destroyed) return;
        contextOf(request).gone = 'answer not taken in time';
        // A reset, not a close: closed, the socket would stay in the kernel with its unsent
        // bytes, retrying a window that stays shut for minutes; reset, everything goes at once.
        const socket = res.socket;
        if (socket !== null && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
        else res.destroy();
      }, deadlineMs);
      timer.unref();
    };
    // A pipelined answer waits behind the answers before it on its connection, unwritten: Node
    // gives it the socket (its 'socket' event) once they are finished. Its time runs from then
    // (round 56: it ran from here, and a client reading every answer faster than the pace had
    // the later ones of eight pipelined pulls cut). What it holds meanwhile is bounded by the
    // answer before it, whose own cut ends the connection and every answer waiting on it.
    if (res.socket === null) res.once('socket', arm);
    else arm();
    const stop = (): void => {
      res.off('socket', arm);
      clearTimeout(timer);
    };
    res.once('finish', stop);
    res.once('close', stop);
    return payload;
  });
}
