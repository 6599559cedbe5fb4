/**
 * The client side of the catch-up benchmark, in its own process so that its peak memory is
 * its own: a fresh client (SQLite store on a new file) downloads everything from the server.
 *
 *   node bench/catch-up-client.ts <serverUrl> <token> <dbFile> <expectedCursor> [node:http|fetch]
 *
 * The transport is `fieldsync/node`'s nodeFetch (the default: what the desktop app's main
 * process runs), or Node's global fetch (what a client that passes no `fetch` runs).
 * Prints one JSON line: { seconds, cursor, maxRssMB, rows }.
 */
import { createHttpRemote, createSyncClient } from 'fieldsync';
import { nodeFetch } from 'fieldsync/node';
import { openStore, benchSchema } from './lib/client-db.ts';

const [url, token, file, expected, transport = 'node:http'] = process.argv.slice(2) as [string, string, string, string, string?];
if (transport !== 'node:http' && transport !== 'fetch') throw new Error(`unknown transport ${transport}: node:http or fetch`);
const viaNode = transport === 'node:http' ? nodeFetch() : null;
const store = openStore(file);
const client = await createSyncClient({
  schema: benchSchema,
  store,
  remote: createHttpRemote({ url, token, ...(viaNode ? { fetch: viaNode } : {}) }),
  autoSync: false, // the default page size (1000): what an app gets
});
const t0 = performance.now();
await client.sync();
const seconds = (performance.now() - t0) / 1000;
const cursor = client.status.cursor;
await client.close();
viaNode?.close();
const rows = (store.db.prepare('SELECT count(*) FROM todos').pluck().get() as number);
store.close();
if (cursor < Number(expected)) throw new Error(`caught up to ${cursor} only, expected ${expected}`);
console.log(JSON.stringify({ seconds, cursor, rows, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
