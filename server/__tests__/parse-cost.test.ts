/**
 * A body's parse cost is bounded before it is parsed (round 62, security review; docs/protocol.md
 * §5, "Parse cost"). JSON.parse costs by arrays and objects, not bytes: a valid 1 MB push of
 * 320,000 empty arrays held a parse worker for about a second, and another user's push waited
 * behind two such bodies (round 61's fair turns bounded only the queue). Now a body of more than
 * MAX_REQUEST_CONTAINERS arrays and objects is refused with 413 `payload_too_large`, unparsed,
 * and every valid message still fits in a request of its own.
 *
 * Asserted by what is parsed (JSON.parse counted), statuses and error bodies, never by time.
 */
import { request } from 'node:http';
import type { JsonValue } from 'fieldsync';
import { MAX_REQUEST_CONTAINERS, ProtocolError } from 'fieldsync/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseBody } from '../ingest/parse-body.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

/** 20,000 empty arrays in a 60 KB value (under 64 KiB, depth 2): valid, and costly to parse. */
const costlyValue = (): JsonValue => Array.from({ length: 20_000 }, () => []);
/** The most arrays one value can hold within the limits: 320 chains 99 deep, 31,681 arrays in 63,681 bytes. */
const densestValue = (): JsonValue => Array.from({ length: 320 }, () => {
  let chain: JsonValue = [];
  for (let d = 1; d < 99; d++) chain = [chain];
  return chain;
});
const body = (user: string, n: number, value: (j: number) => JsonValue): Buffer => Buffer.from(JSON.stringify({
  clientId: user, cursor: 0, messages: Array.from({ length: n }, (_, j) => msg(user, `${user}${j}`, value(j))),
}));

/** parseBody, counting the JSON.parse calls it makes. */
function parseCounted(bytes: Buffer): { parses: number; result: ReturnType<typeof parseBody> | ProtocolError } {
  const spy = vi.spyOn(JSON, 'parse');
  try {
    let result: ReturnType<typeof parseBody> | ProtocolError;
    try {
      result = parseBody(new Uint8Array(bytes));
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      result = err;
    }
    return { parses: spy.mock.calls.length, result };
  } finally {
    spy.mockRestore();
  }
}

describe('a body\'s arrays and objects are bounded before JSON.parse', () => {
  it('a valid push of 320,000 empty arrays is refused as payload_too_large, never parsed', () => {
    const bytes = body('attacker', 16, costlyValue);
    expect(bytes.length).toBeLessThan(4 * 1024 * 1024);
    const { parses, result } = parseCounted(bytes);
    expect(result).toBeInstanceOf(ProtocolError);
    expect((result as ProtocolError).code).toBe('payload_too_large');
    expect((result as ProtocolError).message).toContain(`more than ${MAX_REQUEST_CONTAINERS} JSON arrays, objects and object members`);
    expect(parses).toBe(0);
  });

  it('a body at the bound is parsed, and the densest valid message fits alone', () => {
    // 3 messages of 20,000 arrays: 60,005 with the body, its messages array and the messages.
    const atBound = parseCounted(body('user', 3, costlyValue));
    expect(atBound.parses).toBe(1);
    expect(atBound.result).not.toBeInstanceOf(ProtocolError);
    const densest = densestValue();
    expect(Buffer.byteLength(JSON.stringify(densest))).toBeLessThanOrEqual(64 * 1024);
    const alone = parseCounted(body('user', 1, () => densest));
    expect(alone.result).not.toBeInstanceOf(ProtocolError);
    // Three of them are over it (two fit): the client sends them apart (request-size.ts).
    const two = parseCounted(body('user', 3, () => densest));
    expect((two.result as ProtocolError).code).toBe('payload_too_large');
  });

  it('a push of 448,000 new keys in 4,480 objects is refused too, never parsed (round 63)', () => {
    // V8 makes a hidden class for each key it has not seen: these 4,548 containers held a
    // parse thread 1.5-2.3 s, as long as round 61's million empty arrays. Each value: 70
    // objects of 100 keys no other value shares, under 64 KiB.
    const keyed = (j: number): JsonValue => Array.from({ length: 70 }, (_, o) =>
      Object.fromEntries(Array.from({ length: 100 }, (_, k) => [(j * 7000 + o * 100 + k).toString(36), 0])));
    const bytes = body('attacker', 64, keyed);
    expect(bytes.length).toBeLessThan(4 * 1024 * 1024);
    expect(bytes.toString().split('{').length - 1).toBeLessThan(MAX_REQUEST_CONTAINERS / 10);
    const { parses, result } = parseCounted(bytes);
    expect(result).toBeInstanceOf(ProtocolError);
    expect((result as ProtocolError).code).toBe('payload_too_large');
    expect((result as ProtocolError).message).toContain('JSON arrays, objects and object members');
    expect(parses).toBe(0);
    // The densest value in members (`{"":0,"":0,...}`, duplicated keys, 64 KiB) fits alone.
    const value = `{${'"":0,'.repeat(13_000)}"":0}`;
    expect(value.length).toBeLessThanOrEqual(64 * 1024);
    const message = JSON.stringify(msg('user', 'r', 0)).replace('"value":0', `"value":${value}`);
    const alone = parseCounted(Buffer.from(`{"clientId":"user","cursor":0,"messages":[${message}]}`));
    expect(alone.result).not.toBeInstanceOf(ProtocolError);
    expect(alone.parses).toBe(1);
  });

  it('brackets inside strings do not count, escaped quotes included', () => {
    // 100 messages of 2,000 brackets each in strings (200,000 in all), one with a quote before them.
    const bytes = body('user', 100, (j) => `${j === 0 ? '"\\' : ''}${'[{'.repeat(1000)}`);
    const { parses, result } = parseCounted(bytes);
    expect(result).not.toBeInstanceOf(ProtocolError);
    expect(parses).toBe(1);
    expect((result as ReturnType<typeof parseBody>).messages.length).toBe(100);
  });
});

/** Posts `bytes` on a connection of its own; resolves with the answer's status and body. */
function post(t: TestServer, token: string, bytes: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${t.url}/v1/sync`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': bytes.length, authorization: `Bearer ${token}` },
      timeout: 30_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.end(bytes);
  });
}

describe('over HTTP, one parse worker', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it('costly pushes get 413 with a body that says why; another user\'s push is stored', async () => {
    t = await startTestServer({ env: { FIELDSYNC_PARSE_WORKERS: '1' } });
    const server = t;
    const attackerToken = await server.token('attacker');
    const victimToken = await server.token('victim');
    const attacks = Array.from({ length: 6 }, () => post(server, attackerToken, body('attacker', 16, costlyValue)));
    const victimBody = body('victim', 50, () => 'x'.repeat(2000));
    expect(victimBody.length).toBeGreaterThan(64 * 1024); // a large body: the parse worker's
    const victim = await post(server, victimToken, victimBody);
    expect(victim.status).toBe(200);
    for (const answer of await Promise.all(attacks)) {
      expect(answer.status).toBe(413);
      const error = (JSON.parse(answer.body) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('payload_too_large');
      expect(error.message).toContain('JSON arrays, objects and object members');
    }
    expect(await server.pullAll('attacker')).toEqual([]);
    expect((await server.pullAll('victim')).length).toBe(50);
  }, 50_000);
});
