/**
 * A streamed body (no `Content-Length`, or over the read-whole limit) is read from the socket
 * only as fast as its reader takes it: while the reader is behind, nodeFetch pauses the answer,
 * so Node stops reading the socket and the server's writes wait (`web-stream.ts`). Without it
 * a slow reader would have the whole body buffered in memory. No timer: the sign is the
 * client socket's 'pause', which comes while the server still has most of a 32 MiB body to
 * send (the kernel's socket buffers hold a few MiB at most); without backpressure the server
 * finishes sending first.
 */
import { once } from 'node:events';
import { Agent, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Gunzip, gzipSync } from 'node:zlib';
import { afterEach, expect, it, vi } from 'vitest';
import { closeAll, made, serve } from './helpers/loopback.ts';

afterEach(async () => {
  vi.restoreAllMocks();
  await closeAll();
});

const SIZE = 32 * 1024 * 1024;

/** An agent that hands over the sockets it makes, so the test can watch the client's side. */
function watchedAgent(): { agent: Agent; sockets: Socket[] } {
  const agent = new Agent({ keepAlive: true });
  const sockets: Socket[] = [];
  const create = agent.createConnection.bind(agent) as (...args: unknown[]) => Socket;
  (agent as unknown as { createConnection: (...args: unknown[]) => Socket }).createConnection = (...args) => {
    const socket = create(...args);
    sockets.push(socket);
    return socket;
  };
  return { agent, sockets };
}

it.each([
  ['of unknown length', false],
  ['over the read-whole limit', true],
])('a body %s is not read off the socket while its reader is behind, and all of it comes once read', async (_name, sized) => {
  let sending: ServerResponse | undefined;
  const { url } = await serve((_req, res) => {
    sending = res;
    res.writeHead(200, sized ? { 'Content-Length': String(SIZE) } : {});
    res.end(Buffer.alloc(SIZE, 'b'));
  });
  const { agent, sockets } = watchedAgent();
  const response = await made({ httpAgent: agent })(url);
  const [socket] = sockets;
  if (socket === undefined || sending === undefined) throw new Error('no connection');
  const first = await Promise.race([once(socket, 'pause').then(() => 'paused'), finished(sending).then(() => 'all sent')]);
  expect(first).toBe('paused');
  expect((await response.arrayBuffer()).byteLength).toBe(SIZE);
  agent.destroy();
});

it('a small gzip body that inflates past what is decoded into one buffer is decoded as its reader reads, all of it', async () => {
  // Read whole (20 KB) but 20 MiB inflated: over the off-loop limit, so decoded as a stream
  // (whole-body.ts' `streamed`), which is paused while the reader is behind and resumed on its reads.
  const inflated = 20 * 1024 * 1024;
  const gz = gzipSync(Buffer.alloc(inflated, 'c'));
  const { url } = await serve((_req, res) => {
    res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': String(gz.byteLength) });
    res.end(gz);
  });
  const pause = Readable.prototype.pause;
  const decoderPaused = new Promise<void>((resolve) => {
    vi.spyOn(Readable.prototype, 'pause').mockImplementation(function (this: Readable) {
      if (this instanceof Gunzip) resolve();
      return pause.call(this);
    });
  });
  const response = await made()(url);
  await decoderPaused; // the reader has not read yet: the decoder waits for it
  expect((await response.arrayBuffer()).byteLength).toBe(inflated);
});
