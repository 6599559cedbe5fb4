/**
 * The bound on an HTTP server's sockets, which cannot be filled by silent ones (round 59).
 *
 * Every socket comes from 127.0.0.1, whoever opened it, so a count of sockets alone let
 * another user of the machine hold all of them with connections that never finish their
 * headers: Node's `maxConnections` then closed the page's own request unanswered. Here a new
 * connection beyond the bound closes another instead of being refused: the one silent longest
 * (no request being answered on it: still sending its headers, or idle between requests);
 * with none silent, a busy one (an answer its client does not read holds a request open as
 * long as it likes: the answers are static files, which a page takes in milliseconds): since
 * round 63 one whose answer has stalled, else one not judged yet, and only with every answer
 * progressing the one whose request started longest ago (see `busyToClose`). So a flood only ever evicts its own, older sockets. A socket handed
 * to the WebSocket API is never evicted here: the API bounds those itself (ws-api.ts), an
 * authenticated page's included, far below this bound.
 *
 * Young sockets (round 61). Before its headers arrive nothing tells the page's connection from
 * a flood's, and the page's browser may be slow to write them (descheduled on a busy machine,
 * or a connection it opened ahead of its request): with only `max` places, `max` newer
 * connections in that moment closed it unanswered. So a socket in its first `graceMs`, with
 * little read, is not evicted to make room while older silent ones can be; while every silent
 * socket is young, a newcomer is taken beyond `max`, up to `max + newcomers` sockets (only
 * then is the oldest young one closed; a newcomer is never refused). Once young sockets age,
 * the ones still silent are closed, oldest first, until `max` are left; then (round 62) those
 * holding a request that started at least `graceMs` ago, the one that started first first, of
 * those whose answer has stalled since the last sweep (round 63: one read as it comes stays).
 * A flood must now open
 * `max + newcomers` connections within the page's delay to close it, and the memory of the
 * extra ones is bounded by `youngBytes` each (a socket that reads more is no longer young).
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

interface SocketState {
  /** Requests on it whose answer has not finished. */
  busy: number;
  /** Taken by an upgrade: the WebSocket API owns it now. */
  upgraded: boolean;
  /** When it connected (ms, `now()`). */
  readonly born: number;
  /** When its latest request started (ms, `now()`). */
  since: number;
  /** Its `bytesWritten` at the last tick while busy; null until a tick has seen its request. */
  mark: number | null;
}

export interface YoungSockets {
  /** Sockets taken beyond `max` while every silent socket is young. */
  readonly newcomers: number;
  /** How long a new socket is young: time for its client to send its first request. */
  readonly graceMs: number;
  /** A socket that has read more than this without a request is not young. */
  readonly youngBytes: number;
  readonly now?: () => number;
}

export const DEFAULT_YOUNG: YoungSockets = { newcomers: 448, graceMs: 1000, youngBytes: 64 * 1024 };

/** Keeps at most `max` sockets open on `server` (and `max + newcomers` while young ones wait for their first request). */
export function boundConnections(server: Server, max: number, young: YoungSockets = DEFAULT_YOUNG): void {
  const now = young.now ?? Date.now;
  const hardMax = max + young.newcomers;
  // Insertion order is of last activity: a socket moves to the end whenever a request on it starts or ends.
  const sockets = new Map<Socket, SocketState>();

  const isYoung = (socket: Socket, state: SocketState): boolean => now() - state.born < young.graceMs && socket.bytesRead <= young.youngBytes;
  /** The longest-silent socket that is not young, the longest-silent young one, and the one busy longest. */
  const candidates = (): { old: Socket | null; young: Socket | null; busy: Socket | null } => {
    let youngest: Socket | null = null;
    let busy: Socket | null = null;
    for (const [socket, state] of sockets) {
      if (state.upgraded) continue;
      if (state.busy > 0) busy ??= socket;
      else if (!isYoung(socket, state)) return { old: socket, young: youngest, busy };
      else youngest ??= socket;
    }
    return { old: null, young: youngest, busy };
  };
  // Busy sockets by how their answer goes, judged on each tick (round 63): `busyOnes` in the
  // order their request started; `fresh`, those no two ticks have seen yet; `stalled`, those
  // whose answer wrote nothing between the last two ticks, the one stalled longest first. Ticks
  // run while any answer is in progress, so the page's answer is judged before a flood comes.
  const busyOnes = new Map<Socket, SocketState>();
  const fresh = new Set<Socket>();
  const stalled = new Set<Socket>();
  const forget = (socket: Socket): void => {
    busyOnes.delete(socket);
    fresh.delete(socket);
    stalled.delete(socket);
  };
  const evict = (socket: Socket): void => {
    sockets.delete(socket);
    forget(socket);
    socket.destroy();
  };
  /**
   * The busy socket a newcomer closes (round 63, attacker review): by the age of its request
   * alone it was the page's answer still coming, read as it came, while hundreds of the flood's
   * answers were stalled. So: one stalled since the last tick and still so; else one not judged
   * yet (the page's answer is judged already); else, every answer progressing, the oldest.
   * Cost: each `stalled` entry passed over is dropped (moved on, or done), so the scan is paid
   * for by the tick that added it; `fresh` loses its entries as they end or are judged.
   */
  const busyToClose = (oldest: Socket | null): Socket | null => {
    for (const s of stalled) {
      const state = sockets.get(s);
      if (state && state.busy > 0 && s.bytesWritten === state.mark) return s;
      stalled.delete(s);
    }
    for (const s of fresh) return s;
    return oldest;
  };

  // Young sockets taken beyond `max` are closed once they age, if still silent.
  let sweep: NodeJS.Timeout | null = null;
  const tick = (): void => {
    sweep = null;
    // At most max + newcomers sockets, every graceMs / 4: bounded by time, not by newcomers.
    for (const [socket, state] of busyOnes) {
      const before = state.mark;
      state.mark = socket.bytesWritten;
      if (before === null) continue;
      fresh.delete(socket);
      if (before !== state.mark) stalled.delete(socket);
      else stalled.add(socket);
    }
    if (sockets.size > max) shrink();
    if (sockets.size > max || busyOnes.size > 0) scheduleShrink();
  };
  const shrink = (): void => {
    for (let s = candidates().old; sockets.size > max && s; s = candidates().old) evict(s);
    // Then those holding a request beyond the bound, the one whose request started first, once
    // that request has had its youth (round 62): a flood's young sockets that each asked for an
    // answer they never read were silent no more, and max + newcomers of them stayed for good.
    // Only answers stalled since the last tick (round 63), the one stalled longest first: by age
    // alone, the page's own answer still coming, read as it came, was older than the flood's and went first.
    for (const s of [...stalled]) {
      if (sockets.size <= max) break;
      const state = sockets.get(s);
      if (state && now() - state.since >= young.graceMs) evict(s);
    }
  };
  const scheduleShrink = (): void => {
    if (sweep) return;
    sweep = setTimeout(tick, Math.max(10, young.graceMs / 4));
    sweep.unref();
  };
  server.once('close', () => {
    if (sweep) clearTimeout(sweep);
  });

  server.on('connection', (socket: Socket) => {
    if (sockets.size >= max) {
      const { old, young: waiting, busy } = candidates();
      // A young socket waits for its request while there is room beyond `max`; else the original rule.
      const room = old ?? (waiting && sockets.size < hardMax ? null : (waiting ?? busyToClose(busy)));
      if (room) evict(room);
      else if (!waiting) {
        socket.destroy();
        return;
      }
      if (sockets.size >= max) scheduleShrink();
    }
    sockets.set(socket, { busy: 0, upgraded: false, born: now(), since: now(), mark: null });
    socket.once('close', () => {
      sockets.delete(socket);
      forget(socket);
    });
  });

  server.on('request', (req, res) => {
    const socket = req.socket;
    const state = sockets.get(socket);
    if (!state) return;
    state.busy++;
    state.since = now();
    // Order is of last activity: a request that starts is the newest.
    sockets.delete(socket);
    sockets.set(socket, state);
    // A new answer: judged afresh, from the next tick on.
    forget(socket);
    state.mark = null;
    busyOnes.set(socket, state);
    fresh.add(socket);
    scheduleShrink();
    let done = false;
    const end = (): void => {
      if (done) return;
      done = true;
      state.busy--;
      if (state.busy === 0) forget(socket);
      // Silent again from now: the last to be evicted.
      if (sockets.delete(socket)) sockets.set(socket, state);
    };
    res.once('finish', end);
    res.once('close', end);
  });

  // Listeners on 'upgrade' run in order: this one is added before the WebSocket API's.
  server.on('upgrade', (req) => {
    const state = sockets.get(req.socket);
    if (state) state.upgraded = true;
  });
}
