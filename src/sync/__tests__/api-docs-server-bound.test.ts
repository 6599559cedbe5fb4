/**
 * The parse-cost bound (docs/protocol.md §5, "Parse cost") in a server a library user builds:
 * docs/api.md's `fieldsync/server` example, run as written, a plain node:http server over
 * real HTTP on loopback (test-support/api-server-example.ts). Until round 63 the example
 * JSON.parsed every body, however costly (a 1 MB push of 320,000 empty arrays, valid, was
 * parsed and stored), and the page told its readers to count brackets themselves. Now it
 * passes the body to `parseSyncBody`, the reference server's own bound.
 *
 * Asserted by statuses, error bodies, what JSON.parse was given and what a pull returns,
 * never by time.
 */
import { request } from 'node:http';
import type { JsonValue } from '../index.ts';
import { MAX_REQUEST_CONTAINERS, ProtocolError, formatHlc, parseSyncBody } from '../server/index.ts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startApiExample } from '../../../test-support/api-server-example.ts';
import { caught, refusal } from '../../../test-support/refusal.ts';

const arrays = (k: number): JsonValue => Array.from({ length: k }, () => []);
/** The most arrays one value can hold within the limits: 320 chains 99 deep, 31,681 arrays in 63,681 bytes. */
const densest = (): JsonValue => Array.from({ length: 320 }, () => {
  let chain: JsonValue = [];
  for (let d = 1; d < 99; d++) chain = [chain];
  return chain;
});

/** A push of one message a value, each in a row of its own (`tag` and its index), as JSON text. */
function push(values: readonly JsonValue[], tag = 'r'): string {
  const now = Date.now();
  const messages = values.map((value, j) => ({ hlc: formatHlc({ millis: now, counter: j, clientId: 'pusher01' }), table: 'todos', row: `${tag}${j}`, column: 'title', value }));
  return JSON.stringify({ clientId: 'pusher01', cursor: 0, messages });
}

/** The arrays, objects and object members of a JSON text, counted on its parsed value (not on brackets or colons). */
const containers = (v: unknown): number =>
  typeof v === 'object' && v !== null
    ? 1 + (Array.isArray(v) ? 0 : Object.keys(v).length) + Object.values(v).reduce((n: number, x) => n + containers(x), 0)
    : 0;

describe('parseSyncBody, given what is not a body', () => {
  // Bytes are a body since round 63 (api-docs-server-utf8.test.ts); a parsed object never is.
  it.each([[5], [null], [undefined], [{}], [{ clientId: 'a', cursor: 0 }]])('refuses %j with a ValidationError', async (arg) => {
    await refusal(() => parseSyncBody(arg as never), /^parseSyncBody\(body\) takes the body as its bytes/);
  });

  it.each([
    ['', 'invalid_request', 'the body is empty'],
    ['{"clientId":', 'invalid_request', 'the body is not valid JSON'],
    ['"{}"', 'invalid_request', 'body must be a JSON object'],
    [push([arrays(20_000), arrays(20_000), arrays(20_000), arrays(20_000)]), 'payload_too_large', /^the body holds more than 65536 JSON arrays, objects and object members/],
  ])('answers a body it refuses with the handler\'s ProtocolError (%#)', async (text, code, message) => {
    const err = await caught(() => parseSyncBody(text));
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err).toMatchObject({ code, message: typeof message === 'string' ? message : expect.stringMatching(message) });
  });
});

/** POSTs `text`; resolves with the answer's status and parsed body. */
function post(port: number, text: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const bytes = Buffer.from(text);
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false, headers: { 'content-type': 'application/json', 'content-length': bytes.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(bytes);
  });
}

/** `post`, and how many times JSON.parse was given this very body (the server's parses of it). */
async function postCounted(port: number, text: string): Promise<{ status: number; body: Record<string, unknown>; parsed: number }> {
  const spy = vi.spyOn(JSON, 'parse');
  try {
    const answer = await post(port, text);
    return { ...answer, parsed: spy.mock.calls.filter(([t]) => t === text).length };
  } finally {
    spy.mockRestore();
  }
}

describe("docs/api.md's fieldsync/server example bounds a body's arrays, objects and members before it parses it", () => {
  let example: Awaited<ReturnType<typeof startApiExample>> | undefined;
  beforeAll(async () => {
    example = await startApiExample('bound');
  });
  afterAll(() => example?.stop());
  const pulled = async (): Promise<unknown[]> => (await post((example as { port: number }).port, '{"clientId":"otherdev","cursor":0,"limit":5000}')).body.messages as unknown[];

  it('refuses a valid push of 320,000 empty arrays with 413 payload_too_large, unparsed, nothing stored', async () => {
    const text = push(Array.from({ length: 16 }, () => arrays(20_000)));
    const answer = await postCounted((example as { port: number }).port, text);
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual({ error: { code: 'payload_too_large', message: `the body holds more than ${MAX_REQUEST_CONTAINERS} JSON arrays, objects and object members; send its messages in smaller requests` } });
    expect(answer.parsed).toBe(0);
    expect(await pulled()).toEqual([]);
  });

  it('takes a body of exactly the bound and refuses one more array; the densest valid message fits alone', async () => {
    const port = (example as { port: number }).port;
    // 4 values of 16,383, 16,383, 16,383 and 16,358 arrays, 4 messages, the messages array,
    // the body and their 23 members (round 63). The last value also holds the string "[{": its brackets put the quick count
    // over the bound, so the exact scan, outside strings, decides at the bound.
    const last = (k: number): JsonValue => [...(arrays(k) as JsonValue[]), '[{'];
    const at = push([arrays(16_382), arrays(16_382), arrays(16_382), last(16_357)]);
    expect(containers(JSON.parse(at))).toBe(MAX_REQUEST_CONTAINERS);
    const over = push([arrays(16_382), arrays(16_382), arrays(16_382), last(16_358)]);
    expect(containers(JSON.parse(over))).toBe(MAX_REQUEST_CONTAINERS + 1);

    const refused = await postCounted(port, over);
    expect([refused.status, (refused.body.error as { code?: string } | undefined)?.code, refused.parsed]).toEqual([413, 'payload_too_large', 0]);
    expect(await pulled()).toEqual([]);

    const taken = await postCounted(port, at);
    expect([taken.status, taken.body.accepted, taken.parsed]).toEqual([200, 4, 1]); // parsed once: `validated` does not check it again
    const alone = await post(port, push([densest()], 'dense'));
    expect([alone.status, alone.body.accepted]).toEqual([200, 1]);
    expect((await pulled()).length).toBe(5);
  });
});
