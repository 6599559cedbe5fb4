/**
 * The web app of e2e/browser/indexeddb-store.spec.ts: indexeddb-page.ts bundled by Vite (as a
 * web app's build would bundle the docs' example store and the library, `fieldsync` resolved
 * to its sources), served on a loopback port of its own: `/` and the bundle.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'vite';

const root = join(import.meta.dirname, '..', '..');

export interface IdbAppOrigin {
  /** `http://127.0.0.1:<port>`: the page's origin, which the server's CORS must allow. */
  readonly origin: string;
  close(): Promise<void>;
}

async function bundle(): Promise<string> {
  const out = await build({
    root,
    configFile: false,
    logLevel: 'silent',
    publicDir: false,
    resolve: {
      // The package's entry points, as an app that installed fieldsync imports them.
      alias: [
        { find: /^fieldsync$/, replacement: join(root, 'src', 'sync', 'index.ts') },
        { find: /^fieldsync\/testing$/, replacement: join(root, 'src', 'sync', 'testing', 'index.ts') },
      ],
    },
    build: { write: false, minify: false, target: 'es2022', modulePreload: false, rollupOptions: { input: join(import.meta.dirname, 'indexeddb-page.ts') } },
  });
  const result = Array.isArray(out) ? out[0] : out;
  if (!result || !('output' in result)) throw new Error('vite returned no bundle for the IndexedDB page');
  const chunks = result.output.filter((c) => c.type === 'chunk');
  if (chunks.length !== 1) throw new Error(`the IndexedDB page bundled into ${chunks.length} chunks, not 1`);
  return (chunks[0] as { code: string }).code;
}

export async function serveIdbApp(): Promise<IdbAppOrigin> {
  const code = await bundle();
  const server: Server = createServer((req, res) => {
    if (req.url === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>IndexedDB app</title><script type="module" src="/app.js"></script>');
    if (req.url === '/app.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(code);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
