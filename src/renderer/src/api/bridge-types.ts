/**
 * The page's WebSocket bridge (ws-bridge.ts) as its callers see it: what it needs of a
 * socket, its options and what it returns. A file of its own so that ws-bridge.ts holds the
 * connection's life only; it exports these too, and callers import them from there.
 */
import type { ApiTransport } from '../../../shared/app-api.ts';
import type { SessionStore } from './host-handshake.ts';

/** What the bridge needs of a WebSocket; the browser's `WebSocket` has it, tests pass a fake. */
export interface BridgeSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export interface WsBridgeOptions {
  /** `ws://127.0.0.1:PORT/api`, from the page's `fieldsync-host` meta tag. */
  readonly url: string;
  /**
   * The handshake: the sign-in code the page was opened with (null for none) and where its
   * session is kept. The page always has one (browser-host.ts); without it, a socket is
   * usable as soon as it opens, which only the call layer's unit tests use.
   */
  readonly auth?: { readonly code: string | null; readonly store: SessionStore };
  /** How long the handshake may take on a socket before it is dropped and tried again. */
  readonly handshakeTimeoutMs?: number;
  /** `protocols`: the subprotocols to offer (the handshake's claim, `claimProtocols`). */
  readonly createSocket?: (url: string, protocols: string[]) => BridgeSocket;
  /** How long a call may wait for its answer, including time spent reconnecting. */
  readonly timeoutMs?: number;
  /** Reconnection delays: doubling from `initialMs` up to `maxMs`, with jitter. */
  readonly reconnect?: { readonly initialMs?: number; readonly maxMs?: number };
  /** Calls waiting for a connection, at most; more fail at once. */
  readonly maxQueued?: number;
  /**
   * How long the address may answer nothing (every connection attempt failing) before the
   * bridge gives up. Long enough for a host restarted on the same port to come back (the e2e
   * cluster's restart takes a few seconds), whose refusal of the session then says the same.
   */
  readonly giveUpAfterMs?: number;
  readonly random?: () => number;
  readonly now?: () => number;
}

export type BridgeState = 'connecting' | 'open' | 'closed';

export interface WsBridge extends ApiTransport {
  readonly state: BridgeState;
  /** Closes the socket for good; calls still waiting fail. */
  close(): void;
}
