/**
 * One user's costly bodies cannot hold another user's push behind them (round 61, security
 * review). JSON.parse costs about a microsecond per array or object, whatever the bytes: a
 * valid push whose values are arrays of empty arrays takes a parse worker hundreds of ms a MiB.
 * Until round 61 the parse workers took large bodies in one queue for all users, so a backlog
 * of such bodies from one user with a valid token sat ahead of every other user's push: with
 * one parse worker, the victim's push was parsed after all of them. Now bodies wait in turns
 * per user (ingest/fair-queue.ts): the victim's push goes after at most the attacker's body
 * being parsed (and one the store's thread already holds).
 *
 * Asserted by order, not by time: how many of the attacker's pushes were answered before the
 * victim's. A real server on loopback, its SQLite store in a temporary folder, one parse worker.
 */
import { request } from 'node:http';
import type { JsonValue } from 'fieldsync';
import { afterEach, describe, expect, it } from 'vitest';
import { createParsePool } from '../ingest/parse-pool.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

/** 20,000 empty arrays in a 60 KB value (under the protocol's 64 KiB, depth 2): valid, and slow to parse. */
const costlyValue = (): JsonValue => Array.from({ length: 20_000 }, () => []);
const ATTACKER_BODIES = 6;
/**
 * Messages of one such value an attacker's body holds: 3, 60,005 arrays and objects in all,
 * under the request's bound (MAX_REQUEST_CONTAINERS, round 62: a body over it is refused
 * unparsed, parse-cost.test.ts). Before round 62 these bodies held 16 (320,000).
 */
const ATTACKER_MESSAGES = 3;

/** Posts `body` on a connection of its own; resolves with the answer's status. */
function post(t: TestServer, token: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${t.url}/v1/sync`, {
      method: 'POST',
      agent: false, // a connection each, as separate clients would
      headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${token}` },
      timeout: 30_000,
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.end(body);
  });
}

describe('parse workers take large bodies in turns per user', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it('a backlog of costly valid pushes from one user does not sit ahead of another user\'s push', async () => {
    t = await startTestServer({ env: { FIELDSYNC_PARSE_WORKERS: '1' } });
    const server = t;
    const attackerToken = await server.token('attacker');
    const victimToken = await server.token('victim');
    const attackerBody = (i: number): Buffer => Buffer.from(JSON.stringify({
      clientId: 'attacker', cursor: 0, messages: Array.from({ length: ATTACKER_MESSAGES }, (_, j) => msg('attacker', `a${i}-${j}`, costlyValue())),
    }));
    // A real push of ordinary messages, large enough (about 100 KB) to go to the parse worker.
    const victimBody = Buffer.from(JSON.stringify({
      clientId: 'victim', cursor: 0, limit: 1, messages: Array.from({ length: 50 }, (_, j) => msg('victim', `v${j}`, 'x'.repeat(2000))),
    }));
    expect(attackerBody(0).length).toBeGreaterThan(64 * 1024); // a large body: the parse worker's
    expect(victimBody.length).toBeGreaterThan(64 * 1024);

    // Seen, not changed: the bodies the route has handed to the store (stores/store-thread.ts),
    // so that the victim's push comes once all of the attacker's wait there, read and admitted.
    const store = server.server.store as unknown as { syncBody: (user: string, ...rest: unknown[]) => Promise<unknown> };
    const syncBody = store.syncBody.bind(store);
    let handed = 0;
    store.syncBody = (user, ...rest) => {
      if (user === 'attacker') handed++;
      return syncBody(user, ...rest);
    };

    const answered: string[] = [];
    const attacks = Array.from({ length: ATTACKER_BODIES }, (_, i) => post(server, attackerToken, attackerBody(i))
      .then((status) => {
        answered.push('attacker');
        return status;
      }));
    for (let i = 0; i < 1000 && handed < ATTACKER_BODIES; i++) await new Promise((r) => setTimeout(r, 10));
    expect(handed).toBe(ATTACKER_BODIES);
    const victim = post(server, victimToken, victimBody).then((status) => {
      answered.push('victim');
      return status;
    });

    expect(await victim).toBe(200);
    expect(await Promise.all(attacks)).toEqual(Array.from({ length: ATTACKER_BODIES }, () => 200));
    // One attacker body being parsed when the victim's came, and one parsed already and
    // waiting for the store's thread; before round 61, all six (FIFO).
    const before = answered.indexOf('victim');
    expect(before, `order: ${answered.join(', ')}`).toBeLessThanOrEqual(2);
    // Everything was stored: the attacker's pushes are valid, only costly.
    expect((await server.pullAll('attacker')).length).toBe(ATTACKER_BODIES * ATTACKER_MESSAGES);
    expect((await server.pullAll('victim')).length).toBe(50);
  }, 50_000);

  it('the parse pool (a store given in-process, such as PostgreSQL) takes them in turns too', async () => {
    const pool = createParsePool({ workers: 1 });
    try {
      const body = (user: string, value: () => JsonValue, n: number): Buffer => Buffer.from(JSON.stringify({
        clientId: user, cursor: 0, messages: Array.from({ length: n }, (_, j) => msg(user, `${user}${j}`, value())),
      }));
      const answered: string[] = [];
      const attacks = Array.from({ length: 4 }, () => pool.parse(body('attacker', costlyValue, ATTACKER_MESSAGES), 'attacker').then(() => answered.push('attacker')));
      const victim = pool.parse(body('victim', () => 'x'.repeat(2000), 50), 'victim').then(() => answered.push('victim'));
      await Promise.all([...attacks, victim]);
      // The attacker's first body was given to the worker at once; the victim's goes next.
      expect(answered).toEqual(['attacker', 'victim', 'attacker', 'attacker', 'attacker']);
    } finally {
      await pool.close();
    }
  }, 30_000);
});
