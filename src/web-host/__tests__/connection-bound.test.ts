/**
 * boundConnections on a server of its own, with a small bound: which socket makes room for a
 * newcomer. Real sockets on loopback; `/hold` is a request whose answer never ends (as one
 * that its client does not read).
 */
import { createServer, request, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { boundConnections } from '../connection-bound.ts';

const MAX = 4;
let server: Server;
let port: number;
const sockets: Socket[] = [];

beforeEach(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hold') res.writeHead(200).write('partial');
    else res.end('ok');
  });
  boundConnections(server, MAX);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

interface Client {
  readonly closed: () => boolean;
}

/** A connection that sends `text` (what it is sent is dropped: read, so that its end is seen). */
function open(text: string): Promise<Client> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => {});
  socket.resume();
  let closed = false;
  socket.on('close', () => (closed = true));
  return new Promise((resolve) => socket.on('connect', () => {
    socket.write(text);
    resolve({ closed: () => closed });
  }));
}
const silent = () => open('GET / HTTP/1.1\r\nHost: x\r\n');
const holding = async (): Promise<Client> => {
  const c = await open('GET /hold HTTP/1.1\r\nHost: x\r\n\r\n');
  await settle();
  return c;
};
const settle = () => new Promise((r) => setTimeout(r, 50));

function get(): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += String(c)));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

it('a newcomer evicts the oldest silent socket, before any with a request open', async () => {
  const busy = [await holding(), await holding()];
  const quiet = [await silent(), await silent()];
  await settle();
  expect(await get()).toBe('ok');
  await vi.waitFor(() => expect(quiet[0]?.closed()).toBe(true));
  expect([...busy, quiet[1]].map((c) => c?.closed())).toEqual([false, false, false]);
});

it('with none silent, the one whose request started first: an answer nobody reads holds no place for good', async () => {
  const busy: Client[] = [];
  for (let i = 0; i < MAX; i++) busy.push(await holding());
  expect(await get()).toBe('ok');
  await vi.waitFor(() => expect(busy[0]?.closed()).toBe(true));
  expect(busy.slice(1).map((c) => c.closed())).toEqual([false, false, false]);
});

it('never holds more than the bound', async () => {
  const all: Client[] = [];
  for (let i = 0; i < 3 * MAX; i++) all.push(await (i % 2 === 0 ? silent() : holding()));
  await vi.waitFor(() => expect(all.filter((c) => !c.closed()).length).toBe(MAX));
});
