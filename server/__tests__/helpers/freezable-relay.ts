/**
 * A loopback TCP relay in front of the run's PostgreSQL that a test can freeze: while frozen it
 * forwards no byte either way but keeps every socket open, and accepts new connections without
 * answering them. That is what a client sees of a database that is SIGSTOPped or behind a
 * network black hole (no error, no FIN, no RST), without stopping the shared server. Thawing
 * forwards what waited, as a SIGCONT would.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface FreezableRelay {
  /** `url` with its host and port replaced by the relay's. */
  readonly url: string;
  freeze(): void;
  thaw(): void;
  /** Connections open through the relay now. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function freezableRelay(databaseUrl: string): Promise<FreezableRelay> {
  const target = new URL(databaseUrl);
  const sockets = new Set<Socket>();
  const pairs = new Set<readonly [Socket, Socket]>();
  let frozen = false;
  // No pipe(): pipe resumes a source on 'drain', which would undo a freeze. Test traffic is
  // small, so plain 'data' forwarding (no back-pressure) is enough.
  const server = createServer({ pauseOnConnect: true }, (inbound) => {
    const outbound = connect({ host: target.hostname, port: Number(target.port), allowHalfOpen: false });
    const pair = [inbound, outbound] as const;
    pairs.add(pair);
    for (const s of pair) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        pairs.delete(pair);
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.on('data', (chunk: Buffer) => outbound.write(chunk));
    outbound.on('data', (chunk: Buffer) => inbound.write(chunk));
    if (frozen) outbound.pause();
    else inbound.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as { port: number }).port);
  return {
    url: url.toString(),
    freeze() {
      frozen = true;
      for (const s of sockets) s.pause();
    },
    thaw() {
      frozen = false;
      for (const s of sockets) s.resume();
    },
    get connections() {
      return pairs.size;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
