/**
 * What `nodeFetch` sends (`request-parts.ts`), request by request beside what the global
 * fetch sends for the same init, to a real server on loopback: the method as fetch writes
 * it, each kind of body with its type and length, the defaults a caller did not set, and
 * the caller's own headers as given.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, failure, made, serve } from './helpers/loopback.ts';

afterEach(closeAll);

/**
 * The parts of a request both fetches send (not User-Agent, Sec-Fetch-Mode, Accept-Language,
 * Connection; nor Accept-Encoding: nodeFetch asks for br too, which Node's fetch does only over https).
 */
const COMPARED = ['content-type', 'content-length', 'transfer-encoding', 'accept', 'x-pad', 'x-two', 'authorization'];

describe('nodeFetch: what it sends, as fetch sends it', () => {
  it.each<[string, () => RequestInit]>([
    ['a string body', () => ({ method: 'POST', body: 'é and more' })],
    ['an empty string body', () => ({ method: 'POST', body: '' })],
    ['URLSearchParams', () => ({ method: 'POST', body: new URLSearchParams('a=1&b=é c') })],
    ['an ArrayBuffer', () => ({ method: 'PUT', body: new Uint8Array([7, 8, 9]).buffer })],
    ['a DataView into a larger buffer', () => ({ method: 'POST', body: new DataView(new Uint8Array([0, 1, 2, 3, 4]).buffer, 1, 3) })],
    ['a POST without a body', () => ({ method: 'POST' })],
    ['a PUT without a body', () => ({ method: 'put' })],
    ['a PATCH without a body', () => ({ method: 'PATCH' })],
    ['a DELETE', () => ({ method: 'delete' })],
    ['an OPTIONS', () => ({ method: 'options' })],
    ['a method fetch does not know', () => ({ method: 'PROPFIND' })],
    ['the caller\'s own type, Accept and Accept-Encoding', () => ({ method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'ACCEPT-ENCODING': 'identity' }, body: '{}' })],
    ['header values with spaces around them, and a header given twice', () => ({ headers: [['X-Pad', '  v w \t'], ['X-Two', 'a'], ['x-two', 'b']] })],
    ['Headers', () => ({ headers: new Headers({ Authorization: 'Bearer t', 'X-Two': 'c' }) })],
  ])('%s', async (_name, init) => {
    const seen: unknown[] = [];
    const codings: unknown[] = [];
    const { url } = await serve((req, res, body) => {
      codings.push(req.headers['accept-encoding']);
      seen.push([req.method, Object.fromEntries(COMPARED.map((name) => [name, req.headers[name]])), body.toString('latin1')]);
      res.end('ok');
    });
    expect(await (await made()(url, init())).text()).toBe('ok');
    expect(await (await fetch(url, init())).text()).toBe('ok');
    expect(seen[0]).toEqual(seen[1]);
    expect(codings[0]).toBe(JSON.stringify(init().headers ?? {}).includes('identity') ? 'identity' : 'gzip, deflate, br');
  });

  it.each(['TRACE', 'connect', 'Track', '', 'a b', 'GET\n', 'pätch'])('refuses the method %j with the TypeError fetch gives, and sends nothing', async (method) => {
    let requests = 0;
    const { url } = await serve((_req, res) => {
      requests++;
      res.end();
    });
    const mine = await failure(made()(url, { method })) as TypeError;
    const theirs = await failure(fetch(url, { method })) as TypeError;
    expect(mine).toBeInstanceOf(TypeError);
    expect(mine.message).toBe(theirs.message);
    expect(requests).toBe(0);
  });

  it('refuses a header pair that is not a pair with a TypeError that says so, as fetch refuses it', async () => {
    const { url } = await serve((_req, res) => res.end());
    const init = { headers: [['x-one', 'a', 'b']] } as unknown as RequestInit;
    const mine = await failure(made()(url, init)) as TypeError;
    const theirs = await failure(fetch(url, init)) as TypeError;
    expect(mine.constructor).toBe(theirs.constructor);
    expect(mine.message).toBe('Headers: each header must be a [name, value] pair');
  });
});
