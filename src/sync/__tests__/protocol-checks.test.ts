/**
 * What `parseSyncRequest` refuses and says (the server's side of docs/protocol.md §5 and §7:
 * the `message` a client's developer reads), and what `parseSyncResponse` refuses in an
 * answer's own fields (the client's side: `invalid_response`, naming the field). Both are
 * exported by `fieldsync/server`, so the shapes they return are checked too.
 */
import { describe, expect, it } from 'vitest';
import { RemoteError } from '../errors.ts';
import { formatHlc } from '../hlc.ts';
import { ProtocolError, parseSyncRequest } from '../protocol.ts';
import { parseSyncResponse } from '../sync-response.ts';

const T = Date.UTC(2026, 10, 24, 15);
const good = { hlc: formatHlc({ millis: T, counter: 0, clientId: 'c1' }), table: 'todos', row: 'r1', column: 'title', value: 'x' };
const req = { clientId: 'c1', cursor: 0, messages: [good] };

/** What a refusal tells: its class's name, code, status, message and index. */
function refusal(body: unknown): unknown[] {
  try {
    parseSyncRequest(body);
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    const e = err as ProtocolError;
    return [e.name, e.code, e.status, e.message, e.index];
  }
  throw new Error('accepted');
}

describe('parseSyncRequest refuses a malformed request, saying which field is wrong', () => {
  it.each([
    ['a body that is text', 'clientId=c1', 'body must be a JSON object'],
    ['a body that is a number', 7, 'body must be a JSON object'],
    ['a body that is null', null, 'body must be a JSON object'],
    // A pattern's test() reads ['c1'] and 12 as the texts 'c1' and '12', which match.
    ['a clientId in an array', { ...req, clientId: ['c1'] }, 'clientId must match ^[A-Za-z0-9_-]{1,64}$'],
    ['a clientId that is a number', { ...req, clientId: 12, messages: [] }, 'clientId must match ^[A-Za-z0-9_-]{1,64}$'],
    ['a bad clientId', { ...req, clientId: 'a b' }, 'clientId must match ^[A-Za-z0-9_-]{1,64}$'],
    ['a negative cursor', { ...req, cursor: -1 }, 'cursor must be an integer >= 0'],
    ['a limit of 0', { ...req, limit: 0 }, 'limit must be an integer from 1 to 5000'],
    ['messages that are an object', { ...req, messages: {} }, 'messages must be an array'],
    ['an epoch with a space', { ...req, epoch: 'a b' }, 'epoch must match ^[A-Za-z0-9_-]{0,64}$'],
    ['5001 messages', { ...req, messages: Array.from({ length: 5001 }, () => good) }, 'at most 5000 messages per request'],
    ['another framing', { ...req, format: 'columns', framing: 'words' }, 'framing must be "lines" or absent'],
    ['a framing that is not a string', { ...req, framing: true }, 'framing must be "lines" or absent'],
  ])('%s', (_what, body, message) => {
    expect(refusal(body)).toEqual(['ProtocolError', 'invalid_request', 400, message, undefined]);
  });

  it('accepts the lines framing, and reads it only with the columns format', () => {
    expect(parseSyncRequest({ ...req, format: 'columns', framing: 'lines' })).toMatchObject({ format: 'columns', framing: 'lines' });
    expect(parseSyncRequest({ ...req, framing: 'lines' })).not.toHaveProperty('framing');
  });

  it('leaves out an epoch the request does not send', () => {
    expect(parseSyncRequest(req)).not.toHaveProperty('epoch');
  });

  // A message that breaks §3 is the client's fault (400); anything else thrown while reading
  // one is the server's, which must not be answered as the client's with its own text.
  it('lets an error that is no validation failure through as it is', () => {
    const boom = new Error('getter failed');
    const message = { ...good, get value(): unknown { throw boom; } };
    expect(() => parseSyncRequest({ ...req, messages: [message] })).toThrow(boom);
    expect(() => parseSyncRequest({ ...req, messages: [message] })).not.toThrow(ProtocolError);
  });
});

describe("a ProtocolError's JSON body (docs/protocol.md §7)", () => {
  it('has index and serverTime only when the error has them', () => {
    expect(new ProtocolError('invalid_request', 'cursor must be an integer >= 0').toBody()).toStrictEqual({ error: { code: 'invalid_request', message: 'cursor must be an integer >= 0' } });
    expect(new ProtocolError('invalid_message', 'message 2: bad', 2).toBody()).toStrictEqual({ error: { code: 'invalid_message', message: 'message 2: bad', index: 2 } });
    const drift = new ProtocolError('clock_drift', 'too far ahead', 0, '2026-11-24T15:00:00.000Z');
    expect(drift.toBody()).toStrictEqual({ error: { code: 'clock_drift', message: 'too far ahead', index: 0, serverTime: '2026-11-24T15:00:00.000Z' } });
  });

  it('names its class where it is logged', () => {
    expect(String(new ProtocolError('not_found', 'no such path'))).toBe('ProtocolError: no such path');
  });
});

describe("parseSyncResponse refuses an answer whose own fields break §5, naming the field", () => {
  const answer = { accepted: 1, cursor: 5, more: false, serverTime: new Date(T).toISOString(), messages: [] };
  const page = { accepted: 0, cursor: 1, more: false, serverTime: new Date(T).toISOString(), format: 'columns', page: { names: ['todos', 'title'], cells: [1, good.hlc, 0, 'r1', 1, 'x'] } };

  it.each([
    ['null', null, 'not an object'],
    ['an array', [answer], 'not an object'],
    ['text', 'ok', 'not an object'],
    ['no accepted', { ...answer, accepted: undefined }, 'accepted'],
    ['a negative accepted', { ...answer, accepted: -1 }, 'accepted'],
    ['a cursor that is text', { ...answer, cursor: '5' }, 'cursor'],
    ['no cursor', { ...answer, cursor: undefined }, 'cursor'],
    ['more as a number', { ...answer, more: 0 }, 'more'],
    ['no more', { ...answer, more: undefined }, 'more'],
    // Date.parse reads a number as its text: 2026 is the year 2026.
    ['a serverTime that is a number', { ...answer, serverTime: 2026 }, 'serverTime'],
    ['no messages', { ...answer, messages: undefined }, 'messages'],
    ['messages that are an object', { ...answer, messages: {} }, 'messages'],
  ])('%s', (_what, body, why) => {
    const parse = () => parseSyncResponse(body, 0);
    expect(parse).toThrow(RemoteError);
    expect(parse).toThrow(expect.objectContaining({ code: 'invalid_response', message: `invalid sync response: ${why}` }));
  });

  it('refuses a follow-on page that is not an object, whatever it is', () => {
    for (const entry of [5, 'page', true]) {
      expect(() => parseSyncResponse({ ...page, more: true, next: [entry] }, 0)).toThrow('invalid sync response: next[0] must be an object');
    }
  });

  it('leaves out an epoch the answer does not carry, in either format', () => {
    expect(parseSyncResponse(answer, 0)).not.toHaveProperty('epoch');
    expect(parseSyncResponse(page, 0)).not.toHaveProperty('epoch');
    expect(parseSyncResponse({ ...page, epoch: 'e1' }, 0).epoch).toBe('e1');
  });
});
