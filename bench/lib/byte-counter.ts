/**
 * A TCP relay on loopback that counts the bytes each way: what a client really sends and
 * receives (HTTP headers, compressed bodies, chunk framing), not what a JSON string's
 * length suggests.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface ByteCounter {
  /** The relay's base URL, to use instead of the server's. */
  readonly url: string;
  /** Bytes client → server and server → client since the last reset. */
  readonly up: number;
  readonly down: number;
  reset(): void;
  close(): Promise<void>;
}

export async function countingRelay(target: string): Promise<ByteCounter> {
  const { hostname, port } = new URL(target);
  let up = 0;
  let down = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    client.on('data', (d: Buffer) => void (up += d.length));
    upstream.on('data', (d: Buffer) => void (down += d.length));
    client.pipe(upstream);
    upstream.pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const relayPort = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${relayPort}`,
    get up() {
      return up;
    },
    get down() {
      return down;
    },
    reset() {
      up = 0;
      down = 0;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
