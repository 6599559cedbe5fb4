/**
 * Reading a request body, with the limits that keep slow or oversized uploads from costing
 * anyone but their sender (issue 11 item 2, issue 13 item 6):
 *
 * - **Size.** A body over the limit is refused with 413. The client is usually still
 *   sending; closing the connection now would make its kernel answer our close with a
 *   reset, which can arrive before our 413 and reads as a network error (and the client
 *   retries forever). So what is left of the body is drained, up to a bound, and the 413
 *   arrives on a connection that stays usable. A declared length beyond that bound is not
 *   worth reading: it gets the 413 and the connection closes.
 * - **Time.** A body must not stall (no byte for `idleMs`) and must keep up a minimal
 *   average rate after a grace period (mod_reqtimeout's model: `graceMs`, plus a second for
 *   every `minBytesPerSecond` received). A trickle of a byte every two seconds is cut
 *   after the grace period; a real upload over a slow link is not.
 *
 * Reading costs no shared slot: the caller admits the request to the server's shared
 * resources only once its body is complete. The body is kept as the chunks the socket
 * delivered, and never copied on the event loop unless the caller asks (issue 12, `/healthz`
 * under max-size pushes): a body that is then shed (429) is dropped as it arrived; a small
 * one is joined (`bytes()`); a large one goes to a parse worker as its chunks (`parts()`,
 * ingest/body-parts.ts). Copying 4 MiB bodies into buffers of their own on the event loop,
 * as they arrived or once read, was a third of its busy time in a burst of them.
 */
import type { IncomingMessage } from 'node:http';
import { ChunkList } from './chunk-list.ts';

export interface BodyLimits {
  /** The largest body, in bytes. */
  readonly maxBytes: number;
  /** How long a body may take regardless of its rate, in ms. */
  readonly graceMs: number;
  /** After the grace period, the least average rate, in bytes per second. */
  readonly minBytesPerSecond: number;
  /** The longest pause between two chunks, in ms. */
  readonly idleMs: number;
  /** How much of an over-limit body is drained so that the 413 can be read, in bytes. */
  readonly drainBytes: number;
}

/** Why a body was not read. `close`: the connection must be closed after the answer. */
export class BodyError extends Error {
  readonly status: 408 | 413 | 400;
  readonly close: boolean;
  constructor(status: 408 | 413 | 400, message: string, close: boolean) {
    super(message);
    this.name = 'BodyError';
    this.status = status;
    this.close = close;
  }
}

const describeRate = (bytesPerSecond: number): string => `${Math.round(bytesPerSecond / 1024)} KiB/s`;

/** A body as it arrived. */
export interface ReceivedBody {
  /** Its size in bytes. */
  readonly length: number;
  /** The body in one buffer of its own (joined on the first call). */
  bytes(): Buffer;
  /** The body as the chunks it arrived in, not joined; once the body was joined, that one buffer. */
  parts(): Buffer[];
}

/** A body already in one buffer (an inflated one). */
export function wholeBody(bytes: Buffer): ReceivedBody {
  return { length: bytes.length, bytes: () => bytes, parts: () => [bytes] };
}

function receivedBody(chunks: Buffer[], length: number): ReceivedBody {
  let joined: Buffer | null = null;
  return {
    length,
    parts: () => (joined === null ? chunks : [joined]),
    bytes() {
      // One chunk that is the whole of its memory is used as it is; otherwise the chunks are
      // joined. A small join comes from Node's shared pool (Buffer.concat), so the result may
      // share its memory: ingest/body-parts.ts copies such a buffer before transferring it.
      joined ??= chunks.length === 1 && (chunks[0] as Buffer).byteOffset === 0 && (chunks[0] as Buffer).buffer.byteLength === length
        ? chunks[0] as Buffer
        : Buffer.concat(chunks, length);
      chunks.length = 0;
      return joined;
    },
  };
}

/**
 * A body whose place in the admission is reserved before it is read (routes/sync-route.ts).
 * It is watched against a pace without being cut: `onBehind` is called once when, after `graceMs`,
 * it has not averaged `minBytesPerSecond` (the route then gives the reservation back).
 */
export interface ReservedBody {
  readonly graceMs: number;
  readonly minBytesPerSecond: number;
  onBehind(): void;
}

/** Reads the whole body of `req`; rejects with BodyError (and then drains or closes, as above). */
export function readBody(req: IncomingMessage, limits: BodyLimits, reserved?: ReservedBody): Promise<ReceivedBody> {
  const declared = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
  if (declared !== null && declared > limits.maxBytes) {
    // Refused before reading. Node drains an unread body itself once the answer is sent;
    // a body too large even to drain closes the connection instead.
    const hopeless = declared > limits.maxBytes + limits.drainBytes;
    if (!hopeless) drain(req, declared, limits);
    return Promise.reject(new BodyError(413, 'the request body is over the server\'s limit', hopeless));
  }
  // The client closed the connection before the body was read (a whole push sent, then the
  // connection closed at once, seen while the token was checked): Node has destroyed the
  // request and dropped the body with it, and its 'close' has fired. Waiting would end only
  // at the idle timeout.
  if (req.destroyed) return Promise.reject(new BodyError(400, 'the request body was cut off', true));
  return new Promise((resolve, reject) => {
    const chunks = new ChunkList(); // small chunks gathered: see chunk-list.ts
    let received = 0;
    const started = Date.now();
    let idle: ReturnType<typeof setTimeout>;
    let rate: ReturnType<typeof setTimeout>;
    let behind: ReturnType<typeof setTimeout> | undefined;

    const finish = (err: BodyError | null): void => {
      clearTimeout(idle);
      clearTimeout(rate);
      clearTimeout(behind);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onError);
      if (err === null) {
        chunks.seal();
        resolve(receivedBody(chunks.chunks, received));
        return;
      }
      chunks.clear();
      if (err.status === 413 && !err.close) drain(req, received, limits);
      reject(err);
    };
    // The deadline moves with what arrived: the grace period, plus a second per minimal rate.
    const armRate = (): void => {
      clearTimeout(rate);
      const deadline = started + limits.graceMs + (received / limits.minBytesPerSecond) * 1000;
      rate = setTimeout(() => {
        finish(new BodyError(408, `the request body arrived too slowly (under ${describeRate(limits.minBytesPerSecond)})`, true));
      }, Math.max(0, deadline - Date.now()));
    };
    // The pace: the same moving deadline, with its own rate; missing it only calls onBehind.
    const pace = reserved;
    let paced = pace !== undefined;
    const armPace = (): void => {
      if (!paced || pace === undefined) return;
      clearTimeout(behind);
      const deadline = started + pace.graceMs + (received / pace.minBytesPerSecond) * 1000;
      behind = setTimeout(() => {
        paced = false;
        pace.onBehind();
      }, Math.max(0, deadline - Date.now()));
    };
    const armIdle = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => finish(new BodyError(408, `the request body stalled for ${limits.idleMs / 1000} s`, true)), limits.idleMs);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limits.maxBytes) {
        finish(new BodyError(413, 'the request body is over the server\'s limit', false));
        return;
      }
      if (declared !== null && received > declared) {
        finish(new BodyError(400, 'the body does not match its Content-Length', true));
        return;
      }
      chunks.push(chunk);
      armIdle();
      armRate();
      armPace();
    };
    const onEnd = (): void => {
      if (declared !== null && received !== declared) {
        finish(new BodyError(400, 'the body does not match its Content-Length', true));
        return;
      }
      finish(null);
    };
    const onError = (): void => finish(new BodyError(400, 'the request body was cut off', true));

    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onError);
    armIdle();
    armRate();
    armPace();
  });
}

/**
 * Reads and discards the rest of a refused body, so that the answer is read before the
 * connection is reused, within a bound: past `drainBytes` more, or past the time limits, the
 * socket is destroyed (that sender is not a client that reads answers anyway).
 */
function drain(req: IncomingMessage, alreadyRead: number, limits: BodyLimits): void {
  if (req.complete) return;
  let drained = 0;
  const socket = req.socket;
  const stop = (): void => {
    clearTimeout(timer);
    req.off('data', onData);
    req.off('end', stop);
    req.off('error', stop);
  };
  const cut = (): void => {
    stop();
    socket.destroy();
  };
  const onData = (chunk: Buffer): void => {
    drained += chunk.length;
    if (drained > limits.drainBytes) cut();
  };
  const timer = setTimeout(cut, limits.graceMs + ((alreadyRead + limits.drainBytes) / limits.minBytesPerSecond) * 1000);
  timer.unref();
  req.on('data', onData);
  req.on('end', stop);
  req.on('error', stop);
  req.resume();
}
