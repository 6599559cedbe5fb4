/**
 * docs/api.md's `fieldsync/server` example, as written (its token check, which names every
 * caller `u`, and its port, 0, aside), started in this process over real HTTP on loopback.
 * The tests that hold a library user's server to what the page tells them run this, not a
 * server of their own: an example that drifted from the library fails them.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..');

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

/** The example, listening; `stop` closes it and removes its file. */
export async function startApiExample(name: string): Promise<{ port: number; stop: () => void }> {
  // Inside the package, so that 'fieldsync/server' is this package's own (its exports), as an
  // app imports it; under out/, which git, lint and the typecheck leave alone. Not under
  // node_modules: in a git worktree that is a link to another checkout's, whose package
  // (another checkout's library) the import would then resolve to.
  const dir = join(repo, 'out', `api-example-${name}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'server-example.ts');
  writeFileSync(file, example());
  const { server } = (await import(file)) as { server: Server };
  if (!server.listening) await new Promise((r) => server.once('listening', r));
  return {
    port: (server.address() as { port: number }).port,
    stop: () => {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
