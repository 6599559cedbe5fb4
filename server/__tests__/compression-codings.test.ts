/**
 * Which coding the server answers a sync with, from the request's `Accept-Encoding` (RFC 9110
 * §12.5.3), and which it reads a request body in, from its `Content-Encoding`, header by
 * header: compression.test.ts checks them over HTTP with a few headers; here every rule of the
 * negotiation is taken in turn (names in any case, weights, `*`, the tie, a weight that is no
 * number), as clients and proxies send them.
 */
import { describe, expect, it } from 'vitest';
import { EncodingError, answerCoding, requestCoding } from '../compression.ts';

describe('the coding of an answer', () => {
  it.each([
    [undefined, null],
    ['', null],
    ['gzip', 'gzip'],
    ['deflate', 'deflate'],
    ['GZip', 'gzip'],
    ['  deflate  ', 'deflate'],
    [',, gzip ,', 'gzip'],
    ['br, identity', null],
    // Both, equally: gzip.
    ['gzip, deflate', 'gzip'],
    ['deflate, gzip', 'gzip'],
    ['deflate;q=0.5, gzip;q=0.5', 'gzip'],
    // The one weighed more.
    ['gzip;q=0.5, deflate', 'deflate'],
    ['gzip;q=0.9, deflate;q=0.8', 'gzip'],
    ['deflate ; Q=0.9, gzip;q=0.1', 'deflate'],
    // Other parameters are not weights.
    ['gzip;level=1', 'gzip'],
    ['gzip;x=0;q=0.2, deflate;q=0.1', 'gzip'],
    // q=0 refuses a coding; one not named is refused unless `*` covers it.
    ['gzip;q=0', null],
    ['gzip;q=0, deflate;q=0', null],
    ['gzip;q=0, deflate;q=0.001', 'deflate'],
    ['gzip;q=0, *', 'deflate'],
    ['*', 'gzip'],
    ['*;q=0', null],
    ['*;q=0, deflate', 'deflate'],
    ['deflate;q=0.1, *', 'gzip'],
    ['gzip;q=0.2, *;q=0.5', 'deflate'],
    // A weight that is no number counts as 0 (refused), not as 1.
    ['gzip;q=high', null],
    ['gzip;q=high, deflate;q=0.1', 'deflate'],
    ['gzip;q=, deflate;q=0.1', 'deflate'],
  ])('Accept-Encoding %j: %s', (header, coding) => {
    expect(answerCoding(header)).toBe(coding);
  });
});

describe('the coding of a request body', () => {
  it.each([
    [undefined, null],
    ['', null],
    ['identity', null],
    [' Identity , ', null],
    ['gzip', 'gzip'],
    ['GZIP', 'gzip'],
    ['x-gzip', 'gzip'],
    ['deflate', 'deflate'],
    [' Deflate ', 'deflate'],
    ['identity, gzip', 'gzip'],
  ])('Content-Encoding %j: %s', (header, coding) => {
    expect(requestCoding(header)).toBe(coding);
  });

  it.each(['br', 'gzip, deflate', 'gzip, gzip', 'compress', 'x-deflate'])('Content-Encoding %j: 415, naming the codings the server takes', (header) => {
    let error: unknown;
    try {
      requestCoding(header);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EncodingError);
    expect(error).toMatchObject({ name: 'EncodingError', status: 415, message: `the body's Content-Encoding "${header}" is not supported; use one of: gzip, deflate, or none` });
  });

  it('quotes a long Content-Encoding by its first 64 characters', () => {
    const header = `${'z'.repeat(64)}-and-more`;
    expect(() => requestCoding(header)).toThrow(`the body's Content-Encoding "${'z'.repeat(64)}" is not supported`);
  });
});
