/**
 * A body's bytes, decoded strictly (round 63). docs/api.md's `fieldsync/server` example read
 * bodies with `req.setEncoding('utf8')`, which turns bytes that are not UTF-8 into U+FFFD:
 * two pushes whose row ids differ only there became one row, and the second overwrote the
 * first. The reference server refused such a body (400 invalid_request); now `parseSyncBody`
 * takes the bytes and refuses it the same way, and the example hands it the bytes.
 *
 * The example runs as written (test-support/api-server-example.ts), over real HTTP on
 * loopback; asserted by statuses, error bodies and what a pull returns.
 */
import { request } from 'node:http';
import { ProtocolError, formatHlc, parseSyncBody } from '../server/index.ts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startApiExample } from '../../../test-support/api-server-example.ts';
import { caught, refusal } from '../../../test-support/refusal.ts';

const NOT_UTF8 = { code: 'invalid_request', message: 'the body is not valid UTF-8' };

/** A push of one message to `row` (its bytes as given: maybe not UTF-8), as bytes. */
function push(row: Uint8Array | string, value: string, counter = 0): Buffer {
  const hlc = formatHlc({ millis: Date.now(), counter, clientId: 'pusher01' });
  return Buffer.concat([
    Buffer.from(`{"clientId":"pusher01","cursor":0,"messages":[{"hlc":"${hlc}","table":"todos","row":"`),
    typeof row === 'string' ? Buffer.from(row) : row,
    Buffer.from(`","column":"title","value":${JSON.stringify(value)}}]}`),
  ]);
}

describe('parseSyncBody, given bytes', () => {
  const text = push('é — 😀 ✓', 'naïve ✓').toString('utf8');

  it('reads bytes, a Buffer and parts (a character split between them) as it reads the text', async () => {
    const bytes = new TextEncoder().encode(text);
    const split = bytes.indexOf(0xf0) + 2; // inside the emoji's four bytes
    const expected = parseSyncBody(text);
    expect(expected.messages[0]?.row).toBe('é — 😀 ✓');
    expect(parseSyncBody(bytes)).toEqual(expected);
    expect(parseSyncBody(Buffer.from(text))).toEqual(expected);
    expect(parseSyncBody([bytes.slice(0, split), bytes.slice(split)])).toEqual(expected);
    expect(parseSyncBody([Buffer.from(bytes.slice(0, 5)), new Uint8Array(0), bytes.slice(5)])).toEqual(expected);
  });

  it.each([
    ['a byte that never starts a character (FF)', [0x61, 0xff]],
    ['a surrogate encoded in UTF-8 (CESU-8)', [0x61, 0xed, 0xa0, 0x80]],
    ['an overlong encoding', [0x61, 0xc0, 0xaf]],
  ])('refuses bytes that are not UTF-8 (%s) with invalid_request, whole or in parts', async (_name, bad) => {
    const body = push(Uint8Array.from(bad), 'v');
    for (const arg of [body, new Uint8Array(body), [body.subarray(0, 70), body.subarray(70)]]) {
      const err = await caught(() => parseSyncBody(arg));
      expect(err).toBeInstanceOf(ProtocolError);
      expect(err).toMatchObject(NOT_UTF8);
    }
  });

  it('refuses a character cut off at the end, and keeps a BOM as the reference server does (not JSON)', async () => {
    const body = Buffer.from(text);
    expect(await caught(() => parseSyncBody([body, Uint8Array.of(0xe2, 0x82)]))).toMatchObject(NOT_UTF8);
    expect(await caught(() => parseSyncBody(Buffer.concat([body, Uint8Array.of(0xe2, 0x82)])))).toMatchObject(NOT_UTF8);
    const bom = Buffer.concat([Uint8Array.of(0xef, 0xbb, 0xbf), body]);
    expect(await caught(() => parseSyncBody(bom))).toMatchObject({ code: 'invalid_request', message: 'the body is not valid JSON' });
    expect(await caught(() => parseSyncBody(new Uint8Array(0)))).toMatchObject({ code: 'invalid_request', message: 'the body is empty' });
    expect(await caught(() => parseSyncBody([]))).toMatchObject({ code: 'invalid_request', message: 'the body is empty' });
  });

  it('tells a runtime without TextDecoder to pass a string, and never decodes leniently', async () => {
    vi.stubGlobal('TextDecoder', undefined);
    try {
      await refusal(() => parseSyncBody(Buffer.from(text)), /^parseSyncBody: this runtime has no TextDecoder/);
    } finally {
      vi.unstubAllGlobals();
    }
    expect(parseSyncBody(text).messages).toHaveLength(1);
  });

  it.each([[5], [null], [undefined], [{}], [new Uint16Array(2)], [new ArrayBuffer(2)], [['{}']], [[Buffer.from('{}'), 5]], [{ clientId: 'a', cursor: 0 }]])('refuses %j with a ValidationError', async (arg) => {
    await refusal(() => parseSyncBody(arg as never), 'parseSyncBody(body) takes the body as its bytes (a Uint8Array, or an array of them in order) or as a string');
  });
});

/** POSTs `parts`, each written on its own; resolves with the answer's status and parsed body. */
function post(port: number, ...parts: Uint8Array[]): Promise<{ status: number; body: Record<string, unknown> }> {
  const length = parts.reduce((n, p) => n + p.byteLength, 0);
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false, headers: { 'content-type': 'application/json', 'content-length': length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.flushHeaders();
    const next = (i: number): void => {
      if (i === parts.length - 1) {
        req.end(parts[i]);
        return;
      }
      // Each part written once the one before has gone to the socket, so the server reads them apart.
      req.write(parts[i], () => setImmediate(() => next(i + 1)));
    };
    next(0);
  });
}

describe("docs/api.md's fieldsync/server example decodes a body's bytes strictly", () => {
  let example: Awaited<ReturnType<typeof startApiExample>> | undefined;
  beforeAll(async () => {
    example = await startApiExample('utf8');
  });
  afterAll(() => example?.stop());
  const port = (): number => (example as { port: number }).port;
  const pulled = async (): Promise<unknown[]> =>
    (await post(port(), Buffer.from('{"clientId":"otherdev","cursor":0,"limit":5000}'))).body.messages as unknown[];

  it('refuses two pushes whose rows differ only in bytes that are not UTF-8: 400, nothing stored, nothing overwritten', async () => {
    const first = await post(port(), push(Uint8Array.of(0x72, 0xff), 'first', 0));
    const second = await post(port(), push(Uint8Array.of(0x72, 0xfe), 'second', 1));
    // Together, so that a failure shows all of it: decoded leniently both were taken (200),
    // as one row, 'r\uFFFD', whose value is the second's.
    const rows = (await pulled()).map((m) => [(m as { row: string }).row, (m as { value: unknown }).value]);
    expect({ first: [first.status, first.body], second: [second.status, second.body], rows }).toEqual({
      first: [400, { error: NOT_UTF8 }],
      second: [400, { error: NOT_UTF8 }],
      rows: [],
    });
  });

  it('takes a push whose characters are split between the chunks it arrives in', async () => {
    const body = push('ü😀', 'é 😀');
    const at = body.indexOf(0xf0) + 1;
    const answer = await post(port(), body.subarray(0, body.indexOf(0xc3) + 1), body.subarray(body.indexOf(0xc3) + 1, at), body.subarray(at));
    expect([answer.status, answer.body.accepted]).toEqual([200, 1]);
    expect((await pulled()).filter((m) => (m as { row: string }).row.startsWith('ü'))).toEqual([expect.objectContaining({ row: 'ü😀', value: 'é 😀' })]);
  });
});
