/**
 * The `AppApi` over a WebSocket, the host's side of `src/renderer/src/api/ws-bridge.ts`.
 *
 * An upgrade is accepted only with this instance's own `Origin` and `Host` (host-security.ts),
 * which only keeps other pages of the user's browser out: a program forges them. So a new
 * socket gets nothing but the handshake (ws-handshake.ts), with at most `maxUnauthenticated`
 * such sockets at once (a newcomer evicts the oldest silent one; never one whose upgrade claims
 * an outstanding code or a live session, see `claimProtocols`): until the page has proved a session of this host run, no call is
 * answered and no event sent. That is the IPC binding's sender check. Then every frame is
 * checked before anything runs: a text
 * frame of at most WS_MAX_FRAME_BYTES, JSON, an object with a request id and nothing but
 * `method` and `args` besides. Those go to the core's `dispatch(method, args)` as they are,
 * as `bindIpc` (src/main/electron/ipc.ts) hands over IPC calls: the dispatcher validates the
 * method and every argument with the same code for both, and its envelope goes back as
 * `{ id, envelope }`. A page that sends malformed frames is disconnected; one that calls
 * faster than the rate limit gets error envelopes. App events go to every page as `{ event }`.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { AppEvent, Envelope } from '../shared/app-api.ts';
import { isRequestId, readClaim, WS_CLOSE_REFUSED, WS_SUBPROTOCOL, WS_MAX_FRAME_BYTES, type WsHandshakeServerFrame, type WsServerFrame } from '../shared/ws-protocol.ts';
import { checkUpgrade, createRateLimiter } from './host-security.ts';
import type { LoginCodes, Sessions } from './host-session.ts';
import { throttleLog } from './log-throttle.ts';
import { runHostHandshake } from './ws-handshake.ts';

/** What the host needs of the app core (`createAppCore` in src/main/core/app-core.ts). */
export interface HostedCore {
  dispatch(method: unknown, args: unknown): Promise<Envelope>;
  onEvent(listener: (event: AppEvent) => void): () => void;
}

export interface WsApiLimits {
  /** Pages connected and signed in at once (tabs of this instance). */
  readonly maxConnections: number;
  /**
   * Sockets still in their handshake at once; a new upgrade closes the oldest that has not
   * got past its first step, and is refused (503) only when every one has.
   */
  readonly maxUnauthenticated: number;
  /** How long a socket may take to finish its handshake. */
  readonly handshakeMs: number;
  /** Calls per second per page, after a burst. */
  readonly callsPerSecond: number;
  readonly burst: number;
  /** Calls of one page waiting for their answer at once. */
  readonly maxInFlight: number;
  /** A page that stops reading is dropped once this much is waiting for it. */
  readonly maxBufferedBytes: number;
}

export const DEFAULT_WS_LIMITS: WsApiLimits = {
  maxConnections: 16,
  maxUnauthenticated: 8,
  handshakeMs: 5000,
  callsPerSecond: 200,
  burst: 400,
  maxInFlight: 64,
  maxBufferedBytes: 8 * 1024 * 1024,
};

export interface WsApiOptions {
  readonly server: Server;
  readonly core: HostedCore;
  readonly port: () => number;
  /** This run's one-time sign-in codes and sessions (host-session.ts). */
  readonly codes: LoginCodes;
  readonly sessions: Sessions;
  readonly limits?: Partial<WsApiLimits>;
  /** Refused upgrades and dropped pages, for the host's log. */
  readonly log?: (message: string) => void;
}

export interface WsApi {
  /** Pages signed in and connected. */
  readonly connections: number;
  /** Sockets still in their handshake. */
  readonly unauthenticated: number;
  close(): Promise<void>;
}

/** Close codes (RFC 6455). */
export const CLOSE = { goingAway: 1001, unsupported: 1003, invalidPayload: 1007, policy: 1008, tooBig: 1009, tryLater: 1013, refused: WS_CLOSE_REFUSED } as const;

export const WS_API_MESSAGES = {
  rateLimited: 'Too many calls from this page. Slow down and try again.',
  tooManyInFlight: 'Too many calls are waiting for an answer. Try again in a moment.',
  internal: 'Something went wrong. The details are in the host log.',
} as const;

export type ParsedFrame =
  | { readonly ok: true; readonly id: number; readonly method: unknown; readonly args: unknown; readonly extra: boolean }
  | { readonly ok: false; readonly reason: string };

/** The answer to a call with more than (method, arguments): the IPC binding's (src/main/electron/ipc.ts). */
export const EXTRA_FIELDS: Envelope = { ok: false, error: { code: 'invalid_argument', message: 'An API call is (method, arguments).' } };

/**
 * A frame from a page: JSON, an object, a valid id. Method and args are not judged here:
 * the dispatcher does that, as it does for IPC, and answers `invalid_argument`. Fields
 * other than id, method and args are what extra IPC arguments are: refused the same way.
 */
export function parseFrame(text: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'not an object' };
  const frame = value as Record<string, unknown>;
  if (!isRequestId(frame.id)) return { ok: false, reason: 'no valid id' };
  const extra = Object.keys(frame).some((k) => k !== 'id' && k !== 'method' && k !== 'args');
  return { ok: true, id: frame.id, method: frame.method, args: frame.args, extra };
}

const fail = (message: string): Envelope => ({ ok: false, error: { code: 'internal', message } });

export function attachWsApi(options: WsApiOptions): WsApi {
  const limits = { ...DEFAULT_WS_LIMITS, ...options.limits };
  const log = options.log ?? (() => {});
  // A page that offers a claim (claimProtocols) is answered with the one subprotocol, or its browser fails the socket.
  const handleProtocols = (offered: Set<string>): string | false => (offered.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false);
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_FRAME_BYTES, perMessageDeflate: false, clientTracking: true, handleProtocols });

  /** Sockets that completed the handshake: the only ones that get answers and events. */
  const ready = new Set<WebSocket>();
  /** Upgrades in progress and sockets in their handshake, oldest first; `progressed` once past its first step. */
  const pending = new Map<Duplex, { progressed: boolean }>();
  const evictSilent = (): boolean => {
    for (const [socket, entry] of pending) {
      if (entry.progressed) continue;
      pending.delete(socket);
      logRefusal('closed a WebSocket still signing in: room for a newer one');
      socket.destroy();
      return true;
    }
    return false;
  };

  const sendFrame = (ws: WebSocket, frame: WsServerFrame | WsHandshakeServerFrame): void => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > limits.maxBufferedBytes) {
      log('dropped a page that stopped reading');
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(frame));
  };

  const offEvents = options.core.onEvent((event) => {
    for (const ws of ready) sendFrame(ws, { event });
  });

  // Anyone on the machine can knock: at most 10 lines a minute about refused upgrades.
  const logRefusal = throttleLog(log, { burst: 10, windowMs: 60_000, what: 'refused WebSocket upgrades' });
  const flushTimer = setInterval(() => logRefusal.flush(), 60_000);
  flushTimer.unref();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const verdict = checkUpgrade({ remoteAddress: req.socket.remoteAddress, url: req.url, host: req.headers.host, origin: req.headers.origin }, options.port());
    if (!verdict.ok) {
      logRefusal(`refused a WebSocket: ${verdict.reason}`);
      const text = verdict.status === 421 ? 'Misdirected Request' : verdict.status === 404 ? 'Not Found' : verdict.status === 400 ? 'Bad Request' : 'Forbidden';
      socket.end(`HTTP/1.1 ${verdict.status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
      return;
    }
    // Full: the oldest socket that has not got past the handshake's first step makes room. Every
    // socket comes from 127.0.0.1, so a count alone let another user hold them all, silent,
    // and the page got 503 (round 59). A socket that has redeemed a code or named a known
    // session (which only the page can) is never evicted for a newcomer.
    if (pending.size >= limits.maxUnauthenticated && !evictSilent()) {
      logRefusal('refused a WebSocket: too many connections still signing in');
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    // Its upgrade already names what only the page holds (an outstanding sign-in code, a live
    // session): it is the page's from now on, not a silent socket a newcomer may evict (round
    // 60: a flood of upgrades in the round trip before the page's first frame closed it). The
    // claim opens nothing; the handshake still runs in full, within its deadline.
    const claim = readClaim(req.headers['sec-websocket-protocol']);
    const vouched = claim !== null && (claim.kind === 'code' ? options.codes.valid(claim.token) : options.sessions.secret(claim.token) !== null);
    const entry = { progressed: vouched };
    pending.set(socket, entry);
    const uncount = (): void => void pending.delete(socket);
    socket.once('close', uncount);
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('close', () => {
        ready.delete(ws);
        uncount();
      });
      ws.on('error', () => {
        // ws closes with 1009 on oversized frames, 1002 on protocol errors; `close` follows.
      });
      runHostHandshake(ws, {
        codes: options.codes,
        sessions: options.sessions,
        handshakeMs: limits.handshakeMs,
        send: (frame) => sendFrame(ws, frame),
        log,
        logRefusal,
        onProgress: () => (entry.progressed = true),
        onAuthenticated: () => {
          uncount();
          if (ready.size >= limits.maxConnections) {
            ws.close(CLOSE.tryLater, 'too many pages');
            return;
          }
          ready.add(ws);
          sendFrame(ws, { ready: true });
          onReady(ws);
        },
      });
    });
  };
  options.server.on('upgrade', onUpgrade);

  function onReady(ws: WebSocket): void {
    const limiter = createRateLimiter({ perSecond: limits.callsPerSecond, burst: limits.burst });
    let inFlight = 0;
    let alive = true;
    ws.on('pong', () => (alive = true));
    const heartbeat = setInterval(() => {
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
    }, 30_000);
    heartbeat.unref();
    ws.on('close', () => clearInterval(heartbeat));

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        ws.close(CLOSE.unsupported, 'text frames only');
        return;
      }
      const parsed = parseFrame(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
      if (!parsed.ok) {
        log(`disconnected a page: malformed frame (${parsed.reason})`);
        ws.close(CLOSE.policy, 'malformed frame');
        return;
      }
      const { id } = parsed;
      if (!limiter.take()) return sendFrame(ws, { id, envelope: fail(WS_API_MESSAGES.rateLimited) });
      if (inFlight >= limits.maxInFlight) return sendFrame(ws, { id, envelope: fail(WS_API_MESSAGES.tooManyInFlight) });
      if (parsed.extra) return sendFrame(ws, { id, envelope: EXTRA_FIELDS });
      inFlight++;
      let answer: Promise<Envelope>;
      try {
        answer = options.core.dispatch(parsed.method, parsed.args);
      } catch {
        answer = Promise.resolve(fail(WS_API_MESSAGES.internal));
      }
      answer
        .catch(() => fail(WS_API_MESSAGES.internal))
        .then((envelope) => {
          inFlight--;
          sendFrame(ws, { id, envelope });
        });
    });
  }

  return {
    get connections() {
      return ready.size;
    },
    get unauthenticated() {
      return pending.size;
    },
    async close() {
      offEvents();
      clearInterval(flushTimer);
      logRefusal.flush();
      options.server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.close(CLOSE.goingAway, 'the instance is stopping');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          for (const ws of wss.clients) ws.terminate();
        }, 1000);
        wss.close(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
