/**
 * The browser host's side of the `AppApi`: an `ApiTransport` over one WebSocket, turned into
 * the API by `createApiClient`, exactly as the Electron preload does over IPC. The renderer
 * cannot tell the two apart.
 *
 * - Calls are `{ id, method, args }` frames; answers `{ id, envelope }` are matched by id
 *   (the frames: bridge-frames.ts).
 *   `invoke` never rejects: every failure (a timeout, a lost connection) is an error envelope,
 *   which `createApiClient` turns into an `AppError`.
 * - A call made while the socket is (re)connecting waits for it, up to its timeout.
 * - When the socket drops (the host restarted, the machine slept), calls already sent fail
 *   (they may or may not have run: resending a `create` could add the row twice), the sync
 *   panel says so, and the bridge reconnects with exponential backoff and jitter. Once back,
 *   it tells the listeners that anything may have changed, so the UI re-reads everything.
 * - `{ event }` frames go to every listener.
 * - Every connection first runs the handshake (host-handshake.ts): the page redeems its sign-in
 *   code once, then it and the host prove to each other that they hold the page's session.
 *   Nothing is sent before the host has proved it. When the host cannot (another program on
 *   the port of a stopped host), or says it does not know the session (a restarted host), the
 *   bridge stops for good: calls fail with a message that says what to do, the sync panel and
 *   the banner say it, and it never reconnects. After a mere network blip, the same host
 *   proves itself again and the page goes on by itself.
 * - When nothing answers at the page's address for `giveUpAfterMs` (a stopped host; a new run
 *   of `npm run start:web` whose port was taken), the bridge stops the same way, with the
 *   same message: the session died with the host run, so no reconnection could ever help, and
 *   the page must not say "Reconnecting…" (and log a failed connection) forever.
 * - When the browser refuses to even create the socket (it throws: a URL or port it will not
 *   connect to), the bridge stops at once, saying so: no later attempt could go otherwise.
 *
 * This file holds the connection's life (sockets, handshakes, reconnection, stopping); the
 * calls are bridge-calls.ts's, the events to listeners bridge-events.ts's, and the types its
 * callers import from here bridge-types.ts's.
 */
import { backoffDelay } from 'fieldsync';
import { createApiClient, type ApiMethod, type AppApi, type Envelope, type SyncView } from '../../../shared/app-api.ts';
import { appSchema } from '../../../shared/app-schema.ts';
import { claimProtocols } from '../../../shared/ws-protocol.ts';
import { HOST_GONE_CODE } from '../lib/sync-label.ts';
import { createBridgeCalls } from './bridge-calls.ts';
import { createBridgeEvents } from './bridge-events.ts';
import { BRIDGE_MESSAGES, failure, NO_SYNC, readServerFrame } from './bridge-frames.ts';
import type { BridgeSocket, BridgeState, WsBridge, WsBridgeOptions } from './bridge-types.ts';
import { createPageHandshake, HANDSHAKE_MESSAGES, type HandshakeFailure, type HandshakeStep } from './host-handshake.ts';

export type { BridgeSocket, BridgeState, WsBridge, WsBridgeOptions } from './bridge-types.ts';

const OPEN = 1;

export function createWsBridge(options: WsBridgeOptions): WsBridge {
  const createSocket = options.createSocket ?? ((url: string, protocols: string[]) => new WebSocket(url, protocols) as unknown as BridgeSocket);
  const initialMs = options.reconnect?.initialMs ?? 200;
  const maxMs = options.reconnect?.maxMs ?? 5000;
  const random = options.random ?? Math.random;
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
  const giveUpAfterMs = options.giveUpAfterMs ?? 30_000;
  const now = options.now ?? Date.now;
  /** When the address last stopped answering (a connection lost or never made), or null while it answers. */
  let silentSince: number | null = null;
  /** The sign-in code, until it has been sent once. */
  let code = options.auth?.code ?? null;
  /** Why the bridge stopped for good (the handshake failed), or null. */
  let stopped: string | null = null;

  let socket: BridgeSocket | null = null;
  /** The socket has finished its handshake: calls may go. */
  let live = false;
  let state: BridgeState = 'connecting';
  let attempt = 0;
  let everOpened = false;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;

  const events = createBridgeEvents();
  const { emit } = events;
  const calls = createBridgeCalls({
    timeoutMs: options.timeoutMs ?? 30_000,
    maxQueued: options.maxQueued ?? 500,
    liveSocket: () => (socket && live && socket.readyState === OPEN ? socket : null),
    onSyncStatus: events.syncSeen,
  });

  const onFrame = (data: unknown): void => {
    const frame = readServerFrame(data);
    if (!frame) return;
    if ('event' in frame) emit(frame.event);
    else calls.settle(frame.id, frame.envelope);
  };

  /**
   * The claim the socket's first frame will make, offered with its upgrade (claimProtocols):
   * the host then never closes it for a newer socket while it opens (round 60).
   */
  const claimOf = (): string[] => {
    if (!options.auth) return [];
    const session = options.auth.store.load();
    return claimProtocols(code !== null ? { kind: 'code', token: code } : session ? { kind: 'session', token: session.id } : null);
  };

  const scheduleReconnect = (): void => {
    if (state === 'closed' || reconnectTimer) return;
    const delay = backoffDelay(attempt++, { initialMs, maxMs, random });
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      connect();
    }, delay);
  };

  /** After a reconnection: the UI re-reads its data and the sync status. */
  const refreshAfterReconnect = async (): Promise<void> => {
    // Any table may have changed while the socket was down.
    emit({ type: 'data', source: 'remote', tables: [...appSchema.tableNames] });
    const envelope = await invoke('syncStatus', []);
    if (envelope.ok) emit({ type: 'sync', sync: envelope.value as SyncView });
  };

  /** Stops for good: the socket closes, calls still waiting fail with `message`, none goes out again. */
  const stop = (message: string, reason: string): void => {
    state = 'closed';
    live = false;
    if (reconnectTimer) clearTimeout(reconnectTimer);
    reconnectTimer = null;
    const s = socket;
    socket = null;
    try {
      s?.close(1000, reason);
    } catch {
      // already closed
    }
    calls.failAll(message);
  };

  /** The handshake failed, or nothing answers any more: no call goes out, none is retried, and the UI says why. */
  const giveUp = (why: HandshakeFailure | 'no-answer' | 'refused'): void => {
    if (state === 'closed') return;
    // Nothing at the address: from the page, a stopped host and one that moved look alike.
    const message = why === 'refused' ? BRIDGE_MESSAGES.refused : HANDSHAKE_MESSAGES[why === 'no-answer' ? 'host-unproven' : why];
    stopped = message;
    stop(message, 'signed out');
    events.stopped({ type: 'sync', sync: { ...(events.lastSync() ?? NO_SYNC), state: 'error', error: { code: HOST_GONE_CODE, message } } });
  };

  function connect(): void {
    if (state === 'closed') return;
    state = 'connecting';
    live = false;
    let s: BridgeSocket;
    try {
      s = createSocket(options.url, claimOf());
    } catch {
      // Thrown at once, not an event: the browser will not connect to this address at all (a
      // port it blocks, a URL it refuses), and trying again, for ever, would change nothing.
      giveUp('refused');
      return;
    }
    socket = s;
    let opened = false;
    /** The socket opened: something listens at the address. */
    let answered = false;
    let retryAtOnce = false;
    let handshakeTimer: ReturnType<typeof setTimeout> | null = null;
    const handshake = options.auth ? createPageHandshake({ code, store: options.auth.store, onCodeUsed: () => (code = null) }) : null;
    /** Handshake frames are handled one after the other (the proofs are async). */
    let steps: Promise<void> = Promise.resolve();

    const becomeLive = (): void => {
      if (handshakeTimer) clearTimeout(handshakeTimer);
      opened = true;
      live = true;
      state = 'open';
      attempt = 0;
      calls.sendQueued();
      if (everOpened) void refreshAfterReconnect();
      everOpened = true;
    };
    const take = (step: HandshakeStep): void => {
      if (socket !== s) return;
      if (step.kind === 'send') {
        if ('redeem' in step.frame) code = null; // a code is sent once, whatever follows
        try {
          s.send(JSON.stringify(step.frame));
        } catch {
          // closing: onclose reconnects
        }
      } else if (step.kind === 'ready') {
        becomeLive();
      } else if (step.kind === 'retry') {
        retryAtOnce = true;
        s.close(1000, 'again with the session');
      } else {
        giveUp(step.failure);
      }
    };

    s.onopen = () => {
      if (socket !== s) return;
      answered = true;
      silentSince = null; // something answers: the handshake decides the rest
      if (!handshake) return becomeLive();
      // A silent peer must not hold the page: drop the socket and try again.
      handshakeTimer = setTimeout(() => {
        if (socket === s && !live) s.close(1000, 'no handshake');
      }, handshakeTimeoutMs);
      take(handshake.start());
    };
    s.onmessage = (event) => {
      if (socket !== s) return;
      if (live || !handshake) return onFrame(event.data);
      let frame: unknown = null;
      try {
        frame = typeof event.data === 'string' ? JSON.parse(event.data) : null;
      } catch {
        frame = null;
      }
      steps = steps.then(async () => take(await handshake.receive(frame)));
    };
    s.onerror = () => {
      // A close event always follows; it handles the failure.
    };
    s.onclose = () => {
      if (handshakeTimer) clearTimeout(handshakeTimer);
      if (socket !== s) return;
      socket = null;
      live = false;
      // Calls already sent may or may not have run: fail them rather than run them twice.
      calls.failSent(BRIDGE_MESSAGES.lost);
      if (state === 'closed') return;
      silentSince ??= now();
      if (!answered && now() - silentSince >= giveUpAfterMs) return giveUp('no-answer');
      state = 'connecting';
      const lastSync = events.lastSync();
      if (opened && lastSync) {
        emit({ type: 'sync', sync: { ...lastSync, state: 'error', error: { code: 'disconnected', message: BRIDGE_MESSAGES.reconnecting } } });
      }
      if (retryAtOnce) connect();
      else scheduleReconnect();
    };
  }

  function invoke(method: ApiMethod, args: readonly unknown[]): Promise<Envelope> {
    if (state === 'closed') return Promise.resolve(failure('internal', stopped ?? BRIDGE_MESSAGES.closed));
    return calls.call(method, args);
  }

  connect();

  return {
    get state() {
      return state;
    },
    invoke,
    onEvent: events.onEvent,
    close() {
      if (state !== 'closed') stop(BRIDGE_MESSAGES.closed, 'closed');
    },
  };
}

/** The renderer's `AppApi` over a WebSocket: what the browser host's pages use. */
export function createWsApi(options: WsBridgeOptions): AppApi {
  return createApiClient(createWsBridge(options));
}
