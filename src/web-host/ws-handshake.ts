/**
 * The host's side of the handshake every WebSocket runs before any call (the frames are in
 * src/shared/ws-protocol.ts; the page's side is src/renderer/src/api/host-handshake.ts).
 *
 * Passing the upgrade checks proves nothing about who is asking (a program forges `Origin`
 * and `Host`), so a new socket gets nothing but this: it may redeem a one-time sign-in code
 * for a session, then the host proves it holds that session, then the page does, within
 * `handshakeMs`, in frames of at most WS_HANDSHAKE_MAX_BYTES. Anything else, or anything out
 * of order, is refused and the socket closed: there is no second try on the same socket.
 */
import type { RawData, WebSocket } from 'ws';
import { isProof, isToken, WS_CLOSE_REFUSED, WS_HANDSHAKE_MAX_BYTES, type WsHandshakeServerFrame, type WsRefusal } from '../shared/ws-protocol.ts';
import { handshakeProof, keysMatch, randomToken, type LoginCodes, type Sessions } from './host-session.ts';

export interface HostHandshakeOptions {
  /** This run's one-time sign-in codes and sessions (host-session.ts). */
  readonly codes: LoginCodes;
  readonly sessions: Sessions;
  readonly handshakeMs: number;
  /** Sends a frame to the page (the API's sender, which drops a page that stops reading). */
  readonly send: (frame: WsHandshakeServerFrame) => void;
  /** Sign-ins, for the host's log. */
  readonly log: (message: string) => void;
  /** Refusals, for the host's log: anyone can knock, so this one is throttled. */
  readonly logRefusal: (message: string) => void;
  /**
   * The socket got past its first step: it redeemed a valid code or named a known session,
   * which another user cannot do; such a socket is not evicted for a newer one (ws-api.ts).
   */
  readonly onProgress?: () => void;
  /** The page proved the session: the socket is the API's from now on (the handshake no longer listens). */
  readonly onAuthenticated: () => void;
}

const REFUSALS: Readonly<Record<WsRefusal, string>> = {
  code: 'no valid sign-in code',
  session: 'unknown or expired session',
  proof: 'wrong proof',
  protocol: 'malformed handshake',
};

/** Runs the handshake on a new socket; calls `onAuthenticated` once the page has proved its session. */
export function runHostHandshake(ws: WebSocket, options: HostHandshakeOptions): void {
  let step: 'start' | 'redeemed' | 'challenged' | 'done' = 'start';
  let pageNonce = '';
  let hostNonce = '';
  let secret = '';
  const deadline = setTimeout(() => {
    options.logRefusal('closed a WebSocket: no handshake in time');
    ws.terminate();
  }, options.handshakeMs);
  deadline.unref();
  ws.once('close', () => clearTimeout(deadline));

  const refuse = (reason: WsRefusal): void => {
    step = 'done';
    clearTimeout(deadline);
    options.logRefusal(`refused a WebSocket: ${REFUSALS[reason]}`);
    options.send({ refused: { reason } });
    ws.close(WS_CLOSE_REFUSED, 'refused');
  };

  const onMessage = (data: RawData, isBinary: boolean): void => {
    if (step === 'done') return;
    const bytes = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
    if (isBinary || bytes.length > WS_HANDSHAKE_MAX_BYTES) return refuse('protocol');
    let frame: unknown;
    try {
      frame = JSON.parse(bytes.toString('utf8'));
    } catch {
      return refuse('protocol');
    }
    // Exactly one field, naming the step, whose value is an object: a call ({ id, method, args }) never passes.
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame) || Object.keys(frame).length !== 1) return refuse('protocol');
    const [[kind, value]] = Object.entries(frame) as [[string, unknown]];
    if (typeof value !== 'object' || value === null) return refuse('protocol');
    const body = value as Record<string, unknown>;

    if (step === 'start' && kind === 'redeem') {
      // The code is used up whether or not this socket goes on: a link signs in one page.
      if (!options.codes.redeem(body.code)) return refuse('code');
      const session = options.sessions.create();
      step = 'redeemed';
      options.onProgress?.();
      options.log('a browser signed in');
      return options.send({ session });
    }
    if ((step === 'start' || step === 'redeemed') && kind === 'hello') {
      if (!isToken(body.session) || !isToken(body.nonce)) return refuse('protocol');
      const known = options.sessions.secret(body.session);
      if (known === null) return refuse('session');
      secret = known;
      pageNonce = body.nonce;
      hostNonce = randomToken();
      step = 'challenged';
      options.onProgress?.();
      // The host proves itself first: a page never sends its proof to whatever holds a stopped host's port.
      return options.send({ challenge: { nonce: hostNonce, proof: handshakeProof(secret, 'host', pageNonce, hostNonce) } });
    }
    if (step === 'challenged' && kind === 'auth') {
      // keysMatch compares in constant time; the label ('page') keeps the host's own proof from being sent back as the page's.
      if (!isProof(body.proof) || !keysMatch(body.proof, handshakeProof(secret, 'page', pageNonce, hostNonce))) return refuse('proof');
      step = 'done';
      secret = '';
      clearTimeout(deadline);
      ws.off('message', onMessage);
      return options.onAuthenticated();
    }
    return refuse('protocol');
  };
  ws.on('message', onMessage);
}
