/**
 * The two pieces of CORS that no browser exercise pins down: `Vary` merged with what a route
 * set (a cache must key on both, each named once), and a preflight with no `Origin`, which is
 * no preflight even when every origin is allowed.
 */
import { describe, expect, it } from 'vitest';
import { addVary, createCors } from '../cors.ts';

describe('addVary', () => {
  it.each([
    [undefined, 'Origin'],
    ['', 'Origin'],
    ['  ', 'Origin'],
    [['Accept-Encoding'], 'Origin'], // not a header value this server writes: replaced
    ['Accept-Encoding', 'Accept-Encoding, Origin'],
    [' Accept-Encoding ,  Cookie', 'Accept-Encoding, Cookie, Origin'],
    ['Origin', 'Origin'],
    ['origin', 'origin'],
    ['Accept-Encoding, ORIGIN', 'Accept-Encoding, ORIGIN'],
    ['*', '*'],
    ['Cookie, *', 'Cookie, *'],
  ])('Vary %j with Origin added is %j', (current, expected) => {
    expect(addVary(current, 'Origin')).toBe(expected);
  });
});

describe('a preflight without an Origin', () => {
  it('is none, whatever the setting allows', () => {
    for (const cors of [createCors('*'), createCors(['https://app.example'])]) {
      expect(cors?.preflight({ 'access-control-request-method': 'POST' }, 'POST')).toBeNull();
      expect(cors?.preflight({ origin: 'https://app.example' }, 'POST')).toBeNull();
    }
    expect(createCors('*')?.preflight({ origin: 'https://any.example', 'access-control-request-method': 'POST' }, 'POST')).toMatchObject({ 'Access-Control-Allow-Origin': '*' });
  });
});
