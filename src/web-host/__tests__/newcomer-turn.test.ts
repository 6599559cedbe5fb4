/**
 * Round 66 (attacker review of round 64's open question): the page's first fetch at a full
 * bound waited seconds, and one suspect was the bound itself, a newcomer waiting for the next
 * sweep (a quarter of a second) to get a place. It does not: here the sweep's clock is faked
 * and never moves, so no sweep can run, and the page's request, arriving at the full bound
 * (every place held by an answer nobody reads), is still answered. The wait was the kernel's
 * accept queue (test-support/first-fetch/run.ts; docs/security.md).
 */
import { createServer, request, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, expect, it, vi } from 'vitest';
import { boundConnections } from '../connection-bound.ts';

let server: Server | null = null;
const sockets: Socket[] = [];

afterEach(async () => {
  vi.useRealTimers();
  for (const s of sockets.splice(0)) s.destroy();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = null;
});

it('a newcomer at the full bound is answered with no sweep run: the bound does not make it wait', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  const holding = new Set<Socket>();
  server = createServer((req, res) => {
    if (req.url === '/hold') {
      holding.add(req.socket);
      res.writeHead(200).write('partial');
    } else res.end('ok');
  });
  // 4 places, 4 more for young sockets: 8 in all, every one then holding an answer.
  boundConnections(server, 4, { newcomers: 4, graceMs: 1000, youngBytes: 64 * 1024 });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
  for (let i = 0; i < 8; i++) {
    const s = connect(port, '127.0.0.1');
    sockets.push(s);
    s.on('error', () => {});
    s.pause();
    s.write('GET /hold HTTP/1.1\r\nHost: x\r\n\r\n');
  }
  for (let i = 0; i < 2000 && holding.size < 8; i++) await turn();
  expect(holding.size, 'the flood holds every place').toBe(8);

  let answer: string | null = null;
  const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
    let body = '';
    res.on('data', (c: Buffer) => (body += String(c)));
    res.on('end', () => (answer = body));
  });
  req.on('error', (e) => (answer = `error: ${e.message}`));
  req.end();
  // Real turns of the event loop only: the faked clock stands still, so no sweep runs.
  for (let i = 0; i < 5000 && answer === null; i++) await turn();
  expect(answer).toBe('ok');
  // One of the flood's made room (a newcomer never waits for a place, nor is refused).
  expect([...holding].filter((s) => !s.destroyed).length).toBe(7);
});
