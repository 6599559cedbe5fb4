/**
 * A bound on the TCP connections from one address (issue 11 item 2). Reading a body costs
 * no shared slot, so this bounds what one machine can hold open (sockets, bodies being
 * read, event streams), whatever tokens it has. Connections are counted as they open; a
 * request on a connection past the bound is answered with 429 and its connection closed.
 *
 * A connection whose request was refused unread (refuse-unread.ts) lingers, unread, before it
 * is closed, so that its client reads the refusal rather than a reset. It will carry no other
 * request, so it no longer counts against its address's bound: a burst of refused pushes
 * held every place of its address for the linger (2 s), and the same machine's next small
 * sync got 429 too. It is held under a bound of its own instead, as many per address as the
 * connection bound: when a refusal would pass it, the oldest lingering connection of that
 * address is closed at once (it has had the longest to read its answer). So one address holds
 * at most twice the bound in sockets, and a lingering one costs a file descriptor and its
 * kernel buffers only (nothing is read from it), for 2 s at most.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionCounter {
  /** Open connections from `address` that count against its bound (lingering ones do not). */
  count(address: string | undefined): number;
  /**
   * `socket` was answered and closes after its linger: it stops counting, and is closed after
   * `lingerMs` (or sooner, to keep its address within the lingering bound).
   */
  linger(socket: Socket): void;
}

export interface LingerBounds {
  /** How long a refused connection stays open, unread, in ms. */
  readonly lingerMs: number;
  /** Lingering connections per address; a new one closes the oldest beyond it. */
  readonly maxLingeringPerAddress: number;
}

function less(counts: Map<string, number>, address: string): void {
  const left = (counts.get(address) ?? 1) - 1;
  if (left <= 0) counts.delete(address);
  else counts.set(address, left);
}

export function countConnections(server: Server, bounds: LingerBounds): ConnectionCounter {
  const open = new Map<string, number>();
  // Each counted connection's address, as it was when it opened (a closed socket has none).
  const counted = new WeakMap<Socket, string>();
  // Per address, its lingering connections, oldest first.
  const held = new Map<string, Set<Socket>>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    counted.set(socket, address);
    open.set(address, (open.get(address) ?? 0) + 1);
    socket.once('close', () => {
      if (counted.delete(socket)) less(open, address);
    });
  });
  return {
    count: (address) => open.get(address ?? 'unknown') ?? 0,
    linger(socket) {
      const address = counted.get(socket);
      if (address === undefined || socket.destroyed) return void socket.destroy();
      counted.delete(socket);
      less(open, address);
      let mine = held.get(address);
      if (mine === undefined) held.set(address, (mine = new Set()));
      const set = mine;
      set.add(socket);
      const timer = setTimeout(() => socket.destroy(), bounds.lingerMs);
      timer.unref();
      socket.once('close', () => {
        clearTimeout(timer);
        set.delete(socket);
        if (set.size === 0 && held.get(address) === set) held.delete(address);
      });
      if (set.size > bounds.maxLingeringPerAddress) {
        const oldest = set.values().next().value as Socket;
        set.delete(oldest);
        oldest.destroy();
      }
    },
  };
}
