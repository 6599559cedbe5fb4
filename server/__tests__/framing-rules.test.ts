/**
 * The request line and framing headers refused before a body is read (request-framing.ts,
 * transfer-coding.ts), rule by rule on the request's parsed head. Over real sockets, with
 * Node's parser in front: `transfer-coding.test.ts`, `http-versions.test.ts` and
 * `http-edges.test.ts`. Round 58, from the files' first mutation runs.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { framingRefusal } from '../request-framing.ts';
import { transferCodingRefusal } from '../transfer-coding.ts';

const refused = (status: number, message: string): unknown => ({ status, body: { error: { code: 'invalid_request', message } }, internal: false });
const NOT_CHUNKED = refused(501, 'a Transfer-Encoding other than chunked alone is not supported; compress a body with Content-Encoding');
const TE_ON_1_0 = refused(400, 'an HTTP/1.0 request must not have a Transfer-Encoding');

describe('Transfer-Encoding', () => {
  it('takes a request without one, whatever its version', () => {
    expect(transferCodingRefusal({}, '1.1')).toBeNull();
    expect(transferCodingRefusal({ 'content-length': '2' }, '1.0')).toBeNull();
  });

  it('takes chunked alone, in any case and with blanks around it, in one header or a list of one', () => {
    for (const te of ['chunked', 'Chunked', ' CHUNKED ', ['chunked']]) {
      expect(transferCodingRefusal({ 'transfer-encoding': te } as IncomingHttpHeaders, '1.1'), String(te)).toBeNull();
    }
  });

  it('refuses any other coding, before chunked, after it, alone or in another header, with 501', () => {
    for (const te of ['gzip, chunked', 'chunked, gzip', 'gzip', 'identity', 'chunked, chunked', ['gzip', 'chunked']]) {
      expect(transferCodingRefusal({ 'transfer-encoding': te } as IncomingHttpHeaders, '1.1'), String(te)).toEqual(NOT_CHUNKED);
    }
  });

  it('refuses one on an HTTP/1.0 request, even chunked, with 400', () => {
    expect(transferCodingRefusal({ 'transfer-encoding': 'chunked' }, '1.0')).toEqual(TE_ON_1_0);
  });
});

/** The head of a request as Node parsed it: its version and headers, each with all its values. */
function head(httpVersion: string, lines: readonly [string, string][]): IncomingMessage {
  const headers: IncomingHttpHeaders = {};
  const headersDistinct: Record<string, string[]> = {};
  for (const [name, value] of lines) {
    headers[name] ??= value; // Node keeps the first Host
    (headersDistinct[name] ??= []).push(value);
  }
  return { httpVersion, headers, headersDistinct } as unknown as IncomingMessage;
}

describe('the framing of a request', () => {
  it('takes HTTP/1.1 with one Host, and HTTP/1.0 with one or none', () => {
    expect(framingRefusal(head('1.1', [['host', 'x']]))).toBeNull();
    expect(framingRefusal(head('1.0', [['host', 'x']]))).toBeNull();
    expect(framingRefusal(head('1.0', []))).toBeNull();
    expect(framingRefusal(head('1.1', [['host', 'x'], ['transfer-encoding', 'chunked']]))).toBeNull();
  });

  it('refuses a version other than 1.1 or 1.0', () => {
    for (const version of ['2.0', '0.9', '1.2']) {
      expect(framingRefusal(head(version, [['host', 'x']])), version).toEqual(refused(400, 'the HTTP version is not supported; use HTTP/1.1'));
    }
  });

  it('refuses a Transfer-Encoding the server does not take, before it looks at Host', () => {
    expect(framingRefusal(head('1.1', [['transfer-encoding', 'gzip, chunked']]))).toEqual(NOT_CHUNKED);
    expect(framingRefusal(head('1.0', [['host', 'x'], ['transfer-encoding', 'chunked']]))).toEqual(TE_ON_1_0);
  });

  it('refuses HTTP/1.1 without Host, and any request with two', () => {
    expect(framingRefusal(head('1.1', []))).toEqual(refused(400, 'the request has no Host header'));
    for (const version of ['1.1', '1.0']) {
      expect(framingRefusal(head(version, [['host', 'x'], ['host', 'y']])), version).toEqual(refused(400, 'the request has more than one Host header'));
    }
  });
});
