/**
 * `nodeFetch`'s connections, against real HTTP servers on loopback: whose agent it uses,
 * what `close()` closes, and that every answer it does not hand over whole (a redirect's, a
 * body-less one, one a Response cannot hold) gives its connection back. With an agent of
 * one socket, an answer that kept its connection makes the next request wait for ever: each
 * such request is bounded by a signal, so that the failure is a rejection, not a hang.
 */
import { Agent, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, made, serve } from './helpers/loopback.ts';

afterEach(closeAll);

/** Counts the connections `server` accepts. */
function counted(server: Server): () => number {
  let n = 0;
  server.on('connection', () => n++);
  return () => n;
}

/** A bound for a request that waits for a connection only a bug would keep (see above). */
const bounded = (): { signal: AbortSignal } => ({ signal: AbortSignal.timeout(10_000) });

/**
 * A server that keeps idle connections open (Node's closes them after 5 s, which would end
 * the wait of a request queued behind a connection that was never given back).
 */
async function keeping(handler: Parameters<typeof serve>[0]): Promise<string> {
  const { url, server } = await serve(handler);
  server.keepAliveTimeout = 0;
  return url;
}

describe('nodeFetch: its agents', () => {
  it('close() closes the connections of the agent it made: the next request opens a new one', async () => {
    const { url, server } = await serve((_req, res) => res.end('ok'));
    const connections = counted(server);
    const f = made();
    expect(await (await f(url)).text()).toBe('ok');
    expect(await (await f(url)).text()).toBe('ok');
    expect(connections()).toBe(1); // kept alive
    f.close();
    expect(await (await f(url)).text()).toBe('ok');
    expect(connections()).toBe(2);
  });

  it('uses the agent it is given, and close() leaves that agent\'s connections alone', async () => {
    const { url, server } = await serve((_req, res) => res.end('ok'));
    const connections = counted(server);
    const agent = new Agent({ keepAlive: true });
    try {
      const f = made({ httpAgent: agent });
      expect(await (await f(url)).text()).toBe('ok');
      expect(Object.values(agent.freeSockets).flat()).toHaveLength(1); // its idle connection is in that agent
      f.close();
      expect(await (await f(url)).text()).toBe('ok');
      expect(connections()).toBe(1);
    } finally {
      agent.destroy();
    }
  });
});

describe('nodeFetch: every answer gives its connection back', () => {
  it('a redirect\'s answer, body and all: the next hop gets the one socket', async () => {
    const url = await keeping((req, res) => {
      if (req.url === '/from') return void res.writeHead(302, { Location: '/to' }).end('moved: see /to');
      res.end('to');
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const f = made({ httpAgent: agent });
      expect(await (await f(`${url}/from`, bounded())).text()).toBe('to');
      expect(await (await f(`${url}/from`, bounded())).text()).toBe('to');
    } finally {
      agent.destroy();
    }
  });

  it('an answer without a body (204, 304, HEAD): the next request gets the one socket', async () => {
    const url = await keeping((req, res) => {
      if (req.url === '/204') return void res.writeHead(204).end();
      if (req.url === '/304') return void res.writeHead(304).end();
      res.writeHead(200, { 'Content-Length': '2' }).end(req.method === 'HEAD' ? undefined : 'ok');
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const f = made({ httpAgent: agent });
      expect((await f(`${url}/204`, bounded())).status).toBe(204);
      expect((await f(`${url}/304`, bounded())).status).toBe(304);
      expect((await f(url, { method: 'HEAD', ...bounded() })).status).toBe(200);
      expect(await (await f(url, bounded())).text()).toBe('ok');
    } finally {
      agent.destroy();
    }
  });

  it('an answer a Response cannot hold (status 600): it fails with the cause, and the next request gets the one socket', async () => {
    const url = await keeping((req, res) => {
      if (req.url === '/600') return void res.writeHead(600, { 'Content-Length': '10' }).end('no, never');
      res.end('ok');
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const f = made({ httpAgent: agent });
      const err = await f(`${url}/600`, bounded()).then(() => null, (e: unknown) => e as TypeError);
      expect([err?.constructor, err?.message]).toEqual([TypeError, 'fetch failed']);
      expect(err?.cause).toBeInstanceOf(RangeError); // new Response's refusal of the status
      expect(await (await f(url, bounded())).text()).toBe('ok');
    } finally {
      agent.destroy();
    }
  });
});
