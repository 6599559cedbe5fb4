/**
 * A bound on the TCP connections from one address (issue 11 item 2). Reading a body costs
 * no shared slot, so this bounds what one machine can hold open (sockets, bodies being
 * read, event streams), whatever tokens it has. Connections are counted as they open; a
 * request on a connection past the bound is answered with 429 and its connection closed
 * (app.ts). That answer needs a request, and a socket that never sends one is kept until the
 * headers timeout: so as many again past the bound are let in to be answered, and any more
 * are closed as they open (1000 idle sockets from one address, sending nothing, used to be
 * all kept, until the process had no file descriptor left for anyone).
 *
 * A connection whose request was refused unread (refuse-unread.ts) lingers, unread, before it
 * is closed, so that its client reads the refusal rather than a reset. It will carry no other
 * request, so it no longer counts against its address's bound: a burst of refused pushes
 * held every place of its address for the linger (2 s), and the same machine's next small
 * sync got 429 too. It is held under a bound of its own instead, as many per address as the
 * connection bound: when a refusal would pass it, the oldest lingering connection of that
 * address is closed at once (it has had the longest to read its answer). So one address holds
 * at most three times the bound in sockets, and a lingering one costs a file descriptor and its
 * kernel buffers only (nothing is read from it), for 2 s at most.
 *
 * An IPv6 address is counted by its /64: a host is usually given a whole /64 and may send
 * from any address in it, so a bound per address would bind nothing there. And the server's
 * connections are bounded in all, whatever their addresses (Node's `maxConnections`: more
 * are closed as they open), so that many addresses together cannot use up its file
 * descriptors either.
 *
 * Behind a reverse proxy, every client's connections arrive from the proxy's address, and a
 * bound per address would bind every user together (with 256, the 257th realtime client of a
 * whole deployment was refused, and every sync after it). So the connections of a trusted
 * proxy (`--trust-proxy`, trust-proxy.ts) are not counted per address at all: what one client
 * may open at the proxy is the proxy's to bound (nginx's `limit_conn`), and a connection from
 * the proxy is not a client. What the bound also did, keep one machine from holding every
 * realtime stream (`--max-streams` in all) and every upload, is done per request instead, by
 * the client's forwarded address (app.ts): `forwardedBound` below. The bound in all
 * (`maxConnections`) holds for the proxy's connections as for any.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { createInflightLimiter } from './rate-limit.ts';

export interface ConnectionCounter {
  /** Open connections from `address` (an IPv6 one: its /64) that count against its bound (lingering ones do not). */
  count(address: string | undefined): number;
  /**
   * `socket` was answered and closes after its linger: it stops counting, and is closed after
   * `lingerMs` (or sooner, to keep its address within the lingering bound).
   */
  linger(socket: Socket): void;
}

export interface ConnectionBounds {
  /** How long a refused connection stays open, unread, in ms. */
  readonly lingerMs: number;
  /**
   * The connections of one address that are served. As many more are answered 429 and closed;
   * past twice as many, a connection is closed as it opens. Also the bound on lingering
   * connections per address (a new one closes the oldest beyond it).
   */
  readonly maxPerAddress: number;
  /** The connections of the server in all, lingering ones included; more are closed as they open. */
  readonly max: number;
  /** Peers whose connections are not counted per address (trusted proxies); they linger unbounded per address. */
  readonly exempt?: ((address: string | undefined) => boolean) | undefined;
}

/**
 * What an address is counted under: an IPv4 address (IPv4-mapped IPv6 too) as it is, an
 * IPv6 address by its /64, as `2001:db8:0:1::/64`.
 */
export function addressKey(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  if (!address.includes(':')) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1] as string;
  const [head = '', tail] = (address.split('%')[0] as string).toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  // An IPv4 tail (`64:ff9b::1.2.3.4`) is two groups.
  const width = left.length + right.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - width)).fill('0'), ...right];
  const prefix = groups.slice(0, 4).map((g) => (Number.parseInt(g, 16) || 0).toString(16));
  return `${prefix.join(':')}::/64`;
}

function less(counts: Map<string, number>, address: string): void {
  const left = (counts.get(address) ?? 1) - 1;
  if (left <= 0) counts.delete(address);
  else counts.set(address, left);
}

export function countConnections(server: Server, bounds: ConnectionBounds): ConnectionCounter {
  const open = new Map<string, number>();
  // Each counted connection's address, as it was when it opened (a closed socket has none).
  const counted = new WeakMap<Socket, string>();
  // Per address, its lingering connections, oldest first.
  const held = new Map<string, Set<Socket>>();
  server.maxConnections = bounds.max;
  // Connections of exempt peers: not counted, but they linger as any refused one does.
  const uncounted = new WeakSet<Socket>();
  server.on('connection', (socket: Socket) => {
    if (bounds.exempt?.(socket.remoteAddress)) return void uncounted.add(socket);
    const address = addressKey(socket.remoteAddress);
    if ((open.get(address) ?? 0) >= 2 * bounds.maxPerAddress) return void socket.destroy();
    counted.set(socket, address);
    open.set(address, (open.get(address) ?? 0) + 1);
    socket.once('close', () => {
      if (counted.delete(socket)) less(open, address);
    });
  });
  return {
    count: (address) => open.get(addressKey(address)) ?? 0,
    linger(socket) {
      if (uncounted.has(socket)) {
        if (socket.destroyed) return;
        // Bounded by the connections in all only: a per-address bound would close one user's
        // lingering refusal early because of another's.
        const timer = setTimeout(() => socket.destroy(), bounds.lingerMs);
        timer.unref();
        socket.once('close', () => clearTimeout(timer));
        return;
      }
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
      if (set.size > bounds.maxPerAddress) {
        const oldest = set.values().next().value as Socket;
        set.delete(oldest);
        oldest.destroy();
      }
    },
  };
}

/**
 * The bound per address of requests that came through a trusted proxy, by the client's
 * forwarded address (an IPv6 one by its /64, as above): the requests it has in progress, its
 * realtime streams and uploads included, since each holds a connection of the proxy's for
 * its whole length. A client that connects directly holds at least a connection per request
 * in progress, so it is bound the same way by the connection bound: one machine holds at most
 * `maxPerAddress` of the server's streams and uploads, whichever way it comes.
 */
export interface ForwardedBound {
  /** A release function when the client at `address` may have one more request in progress, else null. */
  tryAcquire(address: string): (() => void) | null;
}

export function forwardedBound(maxPerAddress: number): ForwardedBound {
  const limiter = createInflightLimiter({ max: Infinity, maxPerUser: maxPerAddress });
  return { tryAcquire: (address) => limiter.tryAcquire(addressKey(address)) };
}
