/**
 * The page's calls over the bridge's WebSocket (ws-bridge.ts): each call's id and frame, the
 * calls waiting for a connection (at most `maxQueued`), those sent and waiting for their
 * answer, each with its timeout, and how they end. A call always ends with an envelope, never
 * a rejection: its answer, or a failure (bridge-frames.ts). Separate from the connection's
 * life, which only tells it when a socket can take frames and which calls to fail.
 */
import type { ApiMethod, Envelope, SyncView } from '../../../shared/app-api.ts';
import { BRIDGE_MESSAGES, encodeCall, failure } from './bridge-frames.ts';
import type { BridgeSocket } from './bridge-types.ts';

interface Pending {
  readonly method: string;
  readonly frame: string;
  readonly resolve: (envelope: Envelope) => void;
  readonly timer: ReturnType<typeof setTimeout>;
  sent: boolean;
}

export interface BridgeCallsOptions {
  readonly timeoutMs: number;
  readonly maxQueued: number;
  /** The socket, if it is open and has finished its handshake: calls may go; null otherwise. */
  readonly liveSocket: () => BridgeSocket | null;
  /** A `syncStatus` call's answer: the newest sync status. */
  readonly onSyncStatus: (sync: SyncView) => void;
}

export function createBridgeCalls({ timeoutMs, maxQueued, liveSocket, onSyncStatus }: BridgeCallsOptions) {
  const pending = new Map<number, Pending>();
  let nextId = 1;

  const settle = (id: number, envelope: Envelope): void => {
    const p = pending.get(id);
    if (!p) return; // timed out already, or answered twice
    pending.delete(id);
    clearTimeout(p.timer);
    if (p.method === 'syncStatus' && envelope.ok) onSyncStatus(envelope.value as SyncView);
    p.resolve(envelope);
  };

  const send = (p: Pending): void => {
    const socket = liveSocket();
    if (!socket) return;
    try {
      socket.send(p.frame);
      p.sent = true;
    } catch {
      // The socket is closing: the call stays queued for the next connection.
    }
  };

  return {
    /** A new call: sent at once if a socket is live, else queued (up to `maxQueued`). */
    call(method: ApiMethod, args: readonly unknown[]): Promise<Envelope> {
      const id = nextId++;
      const frame = encodeCall(id, method, args);
      if (typeof frame !== 'string') return Promise.resolve(frame);
      if (liveSocket() === null) {
        let waiting = 0;
        for (const p of pending.values()) if (!p.sent) waiting++;
        if (waiting >= maxQueued) return Promise.resolve(failure('internal', BRIDGE_MESSAGES.busy));
      }
      return new Promise<Envelope>((resolve) => {
        const timer = setTimeout(() => settle(id, failure('internal', BRIDGE_MESSAGES.timeout)), timeoutMs);
        const p: Pending = { method, frame, resolve, timer, sent: false };
        pending.set(id, p);
        send(p);
      });
    },

    /** An answer from the host: ends its call, if that still waits. */
    settle,

    /** A socket became live: the queued calls go out. */
    sendQueued(): void {
      for (const p of pending.values()) if (!p.sent) send(p);
    },

    /** The socket dropped: calls already sent may or may not have run, so they fail rather than run twice. */
    failSent(message: string): void {
      for (const [id, p] of pending) if (p.sent) settle(id, failure('internal', message));
    },

    /** The bridge stopped for good: every call still waiting fails with `message`. */
    failAll(message: string): void {
      for (const id of [...pending.keys()]) settle(id, failure('internal', message));
    },
  };
}
