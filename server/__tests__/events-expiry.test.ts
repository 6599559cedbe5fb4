/**
 * An event stream lives no longer than the token it was opened with (issue 11 item 7): a
 * stream opened with a token about to expire stops receiving pokes when it does, and the
 * client, which reconnects by itself, comes back with a fresh token from its token source.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpRemote, pokeStream } from 'fieldsync';
import { openEvents } from './helpers/event-reader.ts';
import { msg, signToken, startTestServer, type TestServer } from './helpers/test-server.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A token that the server accepts for about `seconds` more: expired, but inside the 30 s leeway. */
const shortToken = (user: string, seconds: number): Promise<string> => signToken({ sub: user }, { expiresIn: seconds - 30 });

describe('event streams and token expiry', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('ends a stream when its token expires; a stream with a longer token stays', async () => {
    s = await startTestServer();
    const short = await openEvents(s.url, await shortToken('alice', 2), 'B');
    const long = await openEvents(s.url, await s.token('alice'), 'C');
    expect([short.status, long.status]).toEqual([200, 200]);
    const opened = Date.now();

    await s.sync('alice', { clientId: 'A', cursor: 0, messages: [msg('A', 'r1', 1)] });
    expect(await short.waitForPoke(1)).toEqual([1]);

    await Promise.race([short.ended, sleep(8000).then(() => Promise.reject(new Error('the stream outlived its token by 6 s')))]);
    const lived = Date.now() - opened;
    expect(lived).toBeGreaterThan(500);
    expect(lived).toBeLessThan(6000);
    expect(s.logs.find((l) => l.msg === 'stream closed')).toMatchObject({ user: 'alice', ended: 'token expired' });

    // After it ended, a change reaches only the stream whose token is still good.
    await s.sync('alice', { clientId: 'A', cursor: 1, messages: [msg('A', 'r2', 2)] });
    expect(await long.waitForPoke(2)).toEqual([1, 2]);
    await sleep(100);
    expect(short.pokes).toEqual([1]);
    long.close();
  });

  it('refuses to open a stream with a token that has already expired', async () => {
    s = await startTestServer();
    const res = await fetch(`${s.url}/v1/events?clientId=B`, { headers: { authorization: `Bearer ${await shortToken('alice', -5)}` } });
    expect(res.status).toBe(401);
  });

  it('the client reconnects with a fresh token from its token source and keeps receiving pokes', async () => {
    s = await startTestServer();
    const server = s;
    let issued = 0;
    const remote = createHttpRemote({
      url: server.url,
      // The first token expires in 2 s; the next ones are good for an hour.
      token: () => (issued++ === 0 ? shortToken('alice', 2) : server.token('alice')),
      pokes: pokeStream({ reconnect: { initialMs: 50, maxMs: 200 } }),
    });
    const pokes: number[] = [];
    let opens = 0;
    const stop = remote.subscribe!('B', { onPoke: (p) => pokes.push(p.cursor), onOpen: () => opens++ });
    try {
      const until = async (check: () => boolean): Promise<void> => {
        for (let i = 0; i < 200 && !check(); i++) await sleep(50);
        expect(check()).toBe(true);
      };
      await until(() => opens === 1);
      await until(() => opens === 2); // the server ended the first stream at expiry
      expect(issued).toBe(2);
      await server.sync('alice', { clientId: 'A', cursor: 0, messages: [msg('A', 'r', 1)] });
      await until(() => pokes.length === 1);
      expect(pokes).toEqual([1]);
    } finally {
      stop();
    }
  });
});
