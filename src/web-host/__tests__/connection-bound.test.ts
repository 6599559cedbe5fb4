/**
 * boundConnections on a server of its own, with a small bound: which socket makes room for a
 * newcomer. Real sockets on loopback; `/hold` is a request whose answer never ends (as one
 * that its client does not read). The first tests take youth away (`graceMs: 0`): the rule
 * among sockets that have had their time; the last ones are round 61's young sockets.
 */
import { createServer, request, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { boundConnections, DEFAULT_YOUNG, type YoungSockets } from '../connection-bound.ts';

const MAX = 4;
let server: Server;
let port: number;
const sockets: Socket[] = [];
let streaming = true;

const NO_YOUTH: YoungSockets = { newcomers: 0, graceMs: 0, youngBytes: 0 };

/** Chunks of `/chunks`: an answer of a known length that keeps coming, one chunk every 20 ms. */
const CHUNKS = 300;

async function start(young: YoungSockets, max = MAX): Promise<void> {
  server = createServer((req, res) => {
    if (req.url === '/hold') res.writeHead(200).write('partial');
    else if (req.url === '/stream') {
      // An answer that keeps coming (a large file to a slow reader): a chunk every 20 ms until `streaming` ends.
      res.writeHead(200);
      const t = setInterval(() => (streaming ? res.write('x') : (clearInterval(t), res.end('.'))), 20);
      res.once('close', () => clearInterval(t));
    } else if (req.url === '/chunks') {
      res.writeHead(200);
      let sent = 0;
      const t = setInterval(() => (++sent < CHUNKS ? res.write('x') : (clearInterval(t), res.end('x'))), 20);
      res.once('close', () => clearInterval(t));
    } else res.end('ok');
  });
  boundConnections(server, max, young);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
}
beforeEach(() => start(NO_YOUTH));

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

describe('young sockets (round 61)', () => {
  async function restart(young: YoungSockets, max = MAX): Promise<void> {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await start(young, max);
  }
  /** A connection whose client is slow to write its request: it sends it on `send()`, and gets the answer's status line. */
  async function slowPage(): Promise<{ send: () => Promise<string> }> {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => {});
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += String(d)));
    const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(answer.split('\r\n')[0] || 'closed unanswered')));
    await new Promise((r) => socket.once('connect', r));
    return {
      send: () => {
        socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
        return closed;
      },
    };
  }

  it('a page slow to send its request is not closed by a flood of newer connections', async () => {
    await restart({ newcomers: 32, graceMs: 5000, youngBytes: 64 * 1024 });
    const page = await slowPage();
    const flood: Client[] = [];
    for (let i = 0; i < 6 * MAX; i++) flood.push(await silent());
    await settle();
    // Before round 61 the MAX newer connections closed it unanswered.
    expect(await page.send()).toBe('HTTP/1.1 200 OK');
    expect(flood.every((c) => !c.closed())).toBe(true);
  });

  it('young sockets taken beyond the bound are closed once they age, the oldest first', async () => {
    await restart({ newcomers: 32, graceMs: 300, youngBytes: 64 * 1024 });
    const flood: Client[] = [];
    for (let i = 0; i < 3 * MAX; i++) flood.push(await silent());
    await vi.waitFor(() => expect(flood.filter((c) => !c.closed()).length).toBe(MAX), { timeout: 3000 });
    expect(flood.slice(-MAX).every((c) => !c.closed())).toBe(true);
  });

  it('holds at most max + newcomers: then the oldest young one makes room, and no newcomer is refused', async () => {
    await restart({ newcomers: MAX, graceMs: 5000, youngBytes: 64 * 1024 });
    const flood: Client[] = [];
    for (let i = 0; i < 5 * MAX; i++) flood.push(await silent());
    await vi.waitFor(() => expect(flood.filter((c) => !c.closed()).length).toBe(2 * MAX));
    expect(flood.slice(-2 * MAX).every((c) => !c.closed())).toBe(true);
  });

  it('young sockets that then hold a request are brought back to the bound once they age (round 62)', async () => {
    // Round 62, security review: taken beyond the bound while young, a flood's sockets each then
    // asked for an answer they never read, and were never silent again: the sweep closed only
    // silent ones, so max + newcomers sockets (512 of the host's 64) stayed open for good.
    await restart({ newcomers: 32, graceMs: 300, youngBytes: 64 * 1024 });
    const flood: Client[] = [];
    for (let i = 0; i < 3 * MAX; i++) flood.push(await open('GET /hold HTTP/1.1\r\nHost: x\r\n'));
    // Now each holds a request whose answer never ends, started one after another.
    for (const socket of sockets) {
      socket.write('\r\n');
      await new Promise((r) => setTimeout(r, 10));
    }
    await vi.waitFor(() => expect(flood.filter((c) => !c.closed()).length).toBe(MAX), { timeout: 5000 });
    // The ones whose request started first went: the newest keep theirs.
    expect(flood.slice(-MAX).every((c) => !c.closed())).toBe(true);
  });

  it('an answer its client reads is not closed for a flood\'s that are never read (round 63)', async () => {
    // Round 63, attacker review: the sweep of round 62 closed busy sockets by the age of their
    // request alone, so a flood of requests that never read their answers closed first the
    // page's own answer still coming (older than graceMs) and read as it came.
    await restart({ newcomers: 32, graceMs: 200, youngBytes: 64 * 1024 });
    streaming = true;
    let got = '';
    let ended = false;
    let aborted = false;
    const req = request({ host: '127.0.0.1', port, path: '/stream', agent: false }, (res) => {
      res.on('data', (c: Buffer) => (got += String(c)));
      res.on('end', () => (ended = true));
      res.on('aborted', () => (aborted = true));
    });
    req.on('error', () => (aborted = true));
    req.end();
    await vi.waitFor(() => expect(got.length).toBeGreaterThan(0));
    // The page's request is now the oldest; its answer keeps coming past graceMs.
    await new Promise((r) => setTimeout(r, 250));
    const flood: Client[] = [];
    for (let i = 0; i < 3 * MAX; i++) flood.push(await open('GET /hold HTTP/1.1\r\nHost: x\r\n\r\n'));
    // The flood is brought back to the bound, the page's answer aside.
    await vi.waitFor(() => expect(flood.filter((c) => !c.closed()).length).toBe(MAX - 1), { timeout: 5000 });
    streaming = false;
    await vi.waitFor(() => expect(ended || aborted).toBe(true), { timeout: 5000 });
    expect({ ended, aborted, last: got.slice(-1) }).toEqual({ ended: true, aborted: false, last: '.' });
  });

  /**
   * The page reads `/chunks` as it comes; once `chunksFirst` chunks are in (its request is older
   * than the flood's, and has been writing for a while), the flood's `waves` connect, each all at
   * once (as another local process opens them), `pauseMs` apart, each then holding an answer it
   * never reads. Resolves to what the page got, and how many of the flood were closed.
   */
  async function pageThroughFlood(graceMs: number, chunksFirst: number, waves: number[], pauseMs = 0) {
    await restart({ ...DEFAULT_YOUNG, graceMs }, 64);
    let chunks = 0;
    let ended = false;
    let aborted = false;
    const req = request({ host: '127.0.0.1', port, path: '/chunks', agent: false }, (res) => {
      // A slow reader: each chunk taken after a turn of the event loop behind the flood's work.
      res.on('data', (c: Buffer) => {
        chunks += String(c).length;
        res.pause();
        setImmediate(() => res.resume());
      });
      res.on('end', () => (ended = true));
      res.on('aborted', () => (aborted = true));
    });
    req.on('error', () => (aborted = true));
    req.end();
    await vi.waitFor(() => expect(chunks).toBeGreaterThanOrEqual(chunksFirst), { timeout: 15_000 });
    const flood: Client[] = [];
    let streamingAtLastWave = false;
    for (const [i, size] of waves.entries()) {
      if (i > 0) await new Promise((r) => setTimeout(r, pauseMs));
      streamingAtLastWave = !ended && !aborted;
      flood.push(...(await Promise.all(Array.from({ length: size }, () => holdingAnswer()))));
    }
    await vi.waitFor(() => expect(ended || aborted).toBe(true), { timeout: 15_000 });
    return { chunks, ended, aborted, streamingAtLastWave, floodClosed: flood.filter((c) => c.closed()).length > 0 };
  }
  // Round 63, attacker review: the sweep spared an answer read as it came, but the newcomer rule
  // of round 59 did not: once no socket was silent or young, each newcomer closed the socket
  // whose request started first, and 600 connections holding answers they never read cut the
  // page's answer. The host's own bound (64 + 448); the flood just past it.
  const complete = { chunks: CHUNKS, ended: true, aborted: false, streamingAtLastWave: true, floodClosed: true };

  it('past max + newcomers, a newcomer closes a flood\'s answer not judged yet, not the page\'s answer still coming (round 63)', async () => {
    // Youth of 4 s: ticks 1 s apart. The page has written for 2.2 s at least (110 chunks, 20 ms
    // apart at best): two ticks judged it progressing; the flood comes before two ticks see it.
    expect(await pageThroughFlood(4000, 110, [64 + DEFAULT_YOUNG.newcomers + 8])).toEqual(complete);
  }, 40_000);

  it('past max + newcomers, a newcomer closes a stalled answer, not the page\'s answer still coming (round 63)', async () => {
    // Youth of 2 s: ticks 0.5 s apart. The flood fills the bound, then 1.5 s later (two ticks
    // judged its answers stalled, none yet 2 s old for the sweep) eight more come, one wave.
    expect(await pageThroughFlood(2000, 75, [64 + DEFAULT_YOUNG.newcomers, 8], 1500)).toEqual(complete);
  }, 40_000);

  /** A connection that asks for `/hold` and, once its answer has started (or it was closed), never reads more. */
  function holdingAnswer(): Promise<Client> {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => {});
    let closed = false;
    return new Promise((resolve) => {
      const done = () => resolve({ closed: () => closed });
      socket.once('data', () => {
        socket.pause();
        done();
      });
      socket.once('close', () => ((closed = true), done()));
      socket.once('connect', () => socket.write('GET /hold HTTP/1.1\r\nHost: x\r\n\r\n'));
    });
  }

  it('a socket that has read more than youngBytes without a request is not young: it makes room first', async () => {
    await restart({ newcomers: 32, graceMs: 5000, youngBytes: 1024 });
    const fat = await open(`GET / HTTP/1.1\r\nX-Pad: ${'a'.repeat(8192)}`);
    await settle();
    const quiet: Client[] = [];
    for (let i = 0; i < MAX; i++) quiet.push(await silent());
    await vi.waitFor(() => expect(fat.closed()).toBe(true));
    expect(quiet.every((c) => !c.closed())).toBe(true);
  });
});
