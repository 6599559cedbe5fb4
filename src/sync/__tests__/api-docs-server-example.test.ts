/**
 * docs/api.md's `fieldsync/server` example, run as written (its token check and its port
 * aside), over real HTTP on loopback. It read the body with `text += chunk`, which decodes
 * each chunk on its own: a character whose bytes two chunks split became U+FFFD, stored and
 * pulled by every other device, while the writer kept its own value, so they never converged.
 * The parse-cost bound of the same example: api-docs-server-bound.test.ts.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiExample } from '../../../test-support/api-server-example.ts';

/** POSTs `body` in two writes, split after byte `at`, and answers the parsed JSON. */
function post(port: number, body: Buffer, at: number): Promise<unknown> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    });
    req.on('error', fail);
    req.write(body.subarray(0, at));
    // The second part a moment later, so that the server reads them as two chunks.
    setTimeout(() => req.end(body.subarray(at)), 20);
  });
}

describe("docs/api.md's fieldsync/server example", () => {
  let example: Awaited<ReturnType<typeof startApiExample>> | undefined;
  beforeAll(async () => {
    example = await startApiExample('chunks');
  });
  afterAll(() => example?.stop());

  it('keeps a character whose bytes two chunks of the body split', async () => {
    const port = (example as { port: number }).port;
    const value = 'café au lait é';
    const hlc = `${new Date().toISOString()}-0000-abcdefgh`;
    const push = Buffer.from(JSON.stringify({ clientId: 'abcdefgh', cursor: 0, messages: [{ hlc, table: 'todos', row: 't1', column: 'title', value }] }));
    const at = push.indexOf(Buffer.from('é')) + 1; // inside the character's two bytes
    await post(port, push, at);
    const pulled = (await post(port, Buffer.from(JSON.stringify({ clientId: 'otherdev', cursor: 0 })), 5)) as { messages: { value: unknown }[] };
    expect(pulled.messages.map((m) => m.value)).toEqual([value]);
  });
});
