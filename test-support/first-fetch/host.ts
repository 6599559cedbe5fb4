/**
 * The first-fetch experiment's host (run.ts): the web host's bound (64 + 448, connection-bound.ts)
 * on a server of its own, answering 1 MiB at once as static files are. It counts event-loop
 * turns (a setImmediate chain, bounded) and notes the turn, time and its own CPU time of every accept, and when
 * the page's request (`/page`) arrives; run.ts asks for them over IPC.
 */
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { boundConnections, DEFAULT_YOUNG } from '../../src/web-host/connection-bound.ts';

const BODY = Buffer.alloc(1024 * 1024, 120);
const MAX_TURNS = 5_000_000;
let turn = 0;
const spin = (): void => {
  turn++;
  if (turn < MAX_TURNS) setImmediate(spin);
};
setImmediate(spin);

const accepts: { at: number; turn: number; cpuMs: number }[] = [];
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const acceptedAt = new WeakMap<Socket, number>();
const server = createServer((req, res) => {
  if (req.url === '/page') process.send?.({ page: { accepted: acceptedAt.get(req.socket), request: Date.now() } });
  res.end(BODY);
});
// Added before the bound's listener: notes each socket as it is accepted.
server.on('connection', (socket: Socket) => {
  acceptedAt.set(socket, Date.now());
  accepts.push({ at: Date.now(), turn, cpuMs: cpuMs() });
});
boundConnections(server, 64, DEFAULT_YOUNG);
process.on('message', () => process.send?.({ stats: { accepts, turns: turn } }));
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as { port: number }).port }));
