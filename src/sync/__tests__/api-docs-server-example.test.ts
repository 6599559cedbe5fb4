/**
 * docs/api.md's `fieldsync/server` example, run as written (its token check and its port
 * aside), over real HTTP on loopback. It read the body with `text += chunk`, which decodes
 * each chunk on its own: a character whose bytes two chunks split became U+FFFD, stored and
 * pulled by every other device, while the writer kept its own value, so they never converged.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..', '..', '..');

/** The section's first example, with a token check that names every caller `u` and port 0. */
function example(): string {
  const doc = readFileSync(join(repo, 'docs', 'api.md'), 'utf8');
  const section = doc.split(/^## `fieldsync\/server`\s*$/m)[1] ?? '';
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const swap = (text: string, from: string, to: string): string => {
    if (!text.includes(from)) throw new Error(`the example no longer has ${from}`);
    return text.replace(from, to);
  };
  return swap(swap(swap(code,
    'declare function userOf(authorization: string | undefined): Promise<string>; // your token check',
    'const userOf = async (_authorization: string | undefined): Promise<string> => \'u\';'),
  'createServer(async', 'export const server = createServer(async'),
  ".listen(8787, '127.0.0.1')", ".listen(0, '127.0.0.1')");
}

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
  const dir = join(repo, 'node_modules', '.cache', `api-example-${process.pid}`);
  let server: Server;
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'server-example.ts');
    writeFileSync(file, example());
    ({ server } = (await import(file)) as { server: Server });
    if (!server.listening) await new Promise((r) => server.once('listening', r));
  });
  afterAll(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a character whose bytes two chunks of the body split', async () => {
    const port = (server.address() as { port: number }).port;
    const value = 'café au lait é';
    const hlc = `${new Date().toISOString()}-0000-abcdefgh`;
    const push = Buffer.from(JSON.stringify({ clientId: 'abcdefgh', cursor: 0, messages: [{ hlc, table: 'todos', row: 't1', column: 'title', value }] }));
    const at = push.indexOf(Buffer.from('é')) + 1; // inside the character's two bytes
    await post(port, push, at);
    const pulled = (await post(port, Buffer.from(JSON.stringify({ clientId: 'otherdev', cursor: 0 })), 5)) as { messages: { value: unknown }[] };
    expect(pulled.messages.map((m) => m.value)).toEqual([value]);
  });
});
