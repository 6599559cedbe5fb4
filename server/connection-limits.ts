/**
 * A bound on the TCP connections from one address (issue 11 item 2). Reading a body costs
 * no shared slot, so this bounds what one machine can hold open (sockets, bodies being
 * read, event streams), whatever tokens it has. Connections are counted as they open; a
 * request on a connection past the bound is answered with 429 and its connection closed.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionCounter {
  /** Open connections from `address`. */
  count(address: string | undefined): number;
}

export function countConnections(server: Server): ConnectionCounter {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    open.set(address, (open.get(address) ?? 0) + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
  return { count: (address) => open.get(address ?? 'unknown') ?? 0 };
}
