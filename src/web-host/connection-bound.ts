/**
 * The bound on an HTTP server's sockets, which cannot be filled by silent ones (round 59).
 *
 * Every socket comes from 127.0.0.1, whoever opened it, so a count of sockets alone let
 * another user of the machine hold all of them with connections that never finish their
 * headers: Node's `maxConnections` then closed the page's own request unanswered. Here a new
 * connection beyond the bound closes another instead of being refused: the one silent longest
 * (no request being answered on it: still sending its headers, or idle between requests);
 * with none silent, the one whose request started longest ago (an answer its client does not
 * read holds a request open as long as it likes: the answers are static files, which a page
 * takes in milliseconds). So a flood only ever evicts its own, older sockets. A socket handed
 * to the WebSocket API is never evicted here: the API bounds those itself (ws-api.ts), an
 * authenticated page's included, far below this bound.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

interface SocketState {
  /** Requests on it whose answer has not finished. */
  busy: number;
  /** Taken by an upgrade: the WebSocket API owns it now. */
  upgraded: boolean;
}

/** Keeps at most `max` sockets open on `server`, evicting the longest-silent (else the longest-busy) one for a newcomer. */
export function boundConnections(server: Server, max: number): void {
  // Insertion order is of last activity: a socket moves to the end whenever a request on it starts or ends.
  const sockets = new Map<Socket, SocketState>();

  const evictOne = (): boolean => {
    let oldestBusy: Socket | null = null;
    for (const [socket, state] of sockets) {
      if (state.upgraded) continue;
      if (state.busy > 0) {
        oldestBusy ??= socket;
        continue;
      }
      return evict(socket);
    }
    return oldestBusy !== null && evict(oldestBusy);
  };
  const evict = (socket: Socket): true => {
    sockets.delete(socket);
    socket.destroy();
    return true;
  };

  server.on('connection', (socket: Socket) => {
    if (sockets.size >= max && !evictOne()) {
      socket.destroy();
      return;
    }
    sockets.set(socket, { busy: 0, upgraded: false });
    socket.once('close', () => sockets.delete(socket));
  });

  server.on('request', (req, res) => {
    const socket = req.socket;
    const state = sockets.get(socket);
    if (!state) return;
    state.busy++;
    // Order is of last activity: a request that starts is the newest.
    sockets.delete(socket);
    sockets.set(socket, state);
    let done = false;
    const end = (): void => {
      if (done) return;
      done = true;
      state.busy--;
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
