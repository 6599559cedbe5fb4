/**
 * The open realtime streams (`GET /v1/events`): Server-Sent Events fed by the poke bus.
 * One timer sends every stream a `: ping` comment; streams close when their client goes
 * away, when their client stops reading, when the token they were opened with expires (the
 * client reconnects, with a fresh token), or when the server shuts down. The number of
 * streams is bounded in all and per user, so that no client can exhaust the server.
 */
import type { ServerResponse } from 'node:http';
import { MAX_DELAY_MS } from 'fieldsync/server';
import type { PokeBus } from './poke-bus.ts';

export interface EventStreamsOptions {
  readonly pokeBus: PokeBus;
  /** Interval of the `: ping` comments, in ms. */
  readonly heartbeatMs: number;
  readonly maxStreams: number;
  readonly maxStreamsPerUser: number;
  /** A stream whose unsent output grows past this many bytes is closed: its client stopped reading. */
  readonly maxBufferedBytes?: number;
}

export interface StreamSummary {
  readonly pokes: number;
  readonly ms: number;
  /** True when the stream ended because its token expired. */
  readonly expired: boolean;
}

/** Runs `fn` at `atMs` (wall clock), however far away; returns the cancel function. */
function at(atMs: number, fn: () => void): () => void {
  let timer: ReturnType<typeof setTimeout>;
  const arm = (): void => {
    const left = atMs - Date.now();
    if (left <= 0) return fn();
    timer = setTimeout(arm, Math.min(left, MAX_DELAY_MS));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}

export interface EventStreams {
  /** Whether `userId` may open one more stream, or why not. */
  check(userId: string): 'ok' | 'user_limit' | 'server_limit' | 'closing';
  /**
   * Starts the event stream on `res` (status and headers included) for one of the user's
   * clients, until `expiresAtMs` (when its token stops being valid). `onClose` runs once
   * when the stream ends, whatever the reason.
   */
  open(userId: string, clientId: string, expiresAtMs: number, res: ServerResponse, onClose: (summary: StreamSummary) => void): void;
  readonly count: number;
  /** Ends every stream (at shutdown); no stream can be opened afterwards. */
  closeAll(): void;
}

interface Stream {
  readonly res: ServerResponse;
  write(text: string): void;
}

export function createEventStreams(options: EventStreamsOptions): EventStreams {
  const maxBuffered = options.maxBufferedBytes ?? 64 * 1024;
  const streams = new Set<Stream>();
  const perUser = new Map<string, number>();
  let heartbeat: ReturnType<typeof setInterval> | null = null;
  let closing = false;

  const startHeartbeat = (): void => {
    if (heartbeat !== null) return;
    heartbeat = setInterval(() => {
      for (const s of streams) s.write(': ping\n\n');
    }, options.heartbeatMs);
    heartbeat.unref();
  };
  const stopHeartbeatIfIdle = (): void => {
    if (streams.size === 0 && heartbeat !== null) {
      clearInterval(heartbeat);
      heartbeat = null;
    }
  };

  return {
    check(userId) {
      if (closing) return 'closing';
      if (streams.size >= options.maxStreams) return 'server_limit';
      if ((perUser.get(userId) ?? 0) >= options.maxStreamsPerUser) return 'user_limit';
      return 'ok';
    },

    open(userId, clientId, expiresAtMs, res, onClose) {
      const started = performance.now();
      let pokes = 0;
      let ended = false;
      let expired = false;
      const stream: Stream = {
        res,
        write(text) {
          if (ended || res.destroyed) return;
          if (res.writableLength > maxBuffered) {
            res.destroy(); // the client stopped reading; it reconnects and catches up
            return;
          }
          res.write(text);
        },
      };
      const unsubscribe = options.pokeBus.subscribe(userId, (event) => {
        if (event.fromClientId === clientId) return;
        pokes++;
        stream.write(`event: poke\ndata: ${JSON.stringify({ cursor: event.cursor })}\n\n`);
      });
      streams.add(stream);
      perUser.set(userId, (perUser.get(userId) ?? 0) + 1);

      let cancelExpiry = (): void => {};
      const cleanup = (): void => {
        if (ended) return;
        ended = true;
        cancelExpiry();
        unsubscribe();
        streams.delete(stream);
        const left = (perUser.get(userId) ?? 1) - 1;
        if (left <= 0) perUser.delete(userId);
        else perUser.set(userId, left);
        stopHeartbeatIfIdle();
        onClose({ pokes, ms: performance.now() - started, expired });
      };
      res.once('close', cleanup);
      res.once('error', cleanup);
      // A client gone while its token was checked closed the response before these listeners
      // were there: its stream would count against the user's streams for good. A stream
      // pipelined after another request has no socket yet (it gets it once the answer before it
      // is written): its request's is the one to look at (round 56: such a stream was ended at
      // once, unwritten, and its connection hung after the answer before it, for ever).
      if ((res.socket ?? res.req.socket).destroyed) return cleanup();

      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-store, no-transform',
        'X-Accel-Buffering': 'no',
        // The connection serves this stream only; when the stream ends, so does it.
        Connection: 'close',
      });
      res.write(': connected\n\n');
      startHeartbeat();
      // A stream is as good as the token it was opened with: once that expires, the stream
      // ends, and the client must come back with a valid token to hear about changes again.
      cancelExpiry = at(expiresAtMs, () => {
        expired = true;
        if (!res.destroyed) res.end(': token expired\n\n');
      });
    },

    get count() {
      return streams.size;
    },

    closeAll() {
      closing = true;
      for (const s of [...streams]) s.res.end();
    },
  };
}
