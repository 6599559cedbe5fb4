/**
 * Ingest benchmark of the reference server over real HTTP: pushes of 1000 messages into a
 * fresh SQLite database (WAL, synchronous=FULL), from several clients at once.
 *
 *   node bench/server-ingest.ts [--pushes 200] [--clients 4] [--batch 1000] [--compaction on|off]
 *
 * The bodies are serialized before the clock starts, so the numbers are the server's.
 */
import { parseArgs } from 'node:util';
import { formatHlc } from '../src/sync/hlc.ts';
import { loadConfig, type ServerConfig } from '../server/config.ts';
import { startServer } from '../server/server.ts';
import { createAuthenticator } from '../server/auth.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { values } = parseArgs({
  options: {
    pushes: { type: 'string', default: '200' },
    clients: { type: 'string', default: '4' },
    batch: { type: 'string', default: '1000' },
    compaction: { type: 'string', default: 'on' },
  },
});
const pushes = Number(values.pushes);
const clients = Number(values.clients);
const batch = Number(values.batch);
const dir = mkdtempSync(join(tmpdir(), 'fieldsync-bench-'));
const secret = 'bench-secret-bench-secret-bench-secret-0000';
const config = loadConfig([], {
  PORT: '0', FIELDSYNC_DATA_DIR: dir, FIELDSYNC_SECRET: secret, FIELDSYNC_COMPACTION: values.compaction, FIELDSYNC_MAX_DRIFT: '7d',
}) as ServerConfig;
const server = await startServer(config, { log: { level: 'warn' } });
const token = await createAuthenticator(secret).sign('bench', 3600);

const start = Date.UTC(2026, 0, 1);
const bodies: string[][] = Array.from({ length: clients }, (_, c) => Array.from({ length: Math.ceil(pushes / clients) }, (_, p) => JSON.stringify({
  clientId: `client${c}`,
  cursor: 0,
  limit: 1,
  messages: Array.from({ length: batch }, (_, i) => ({
    hlc: formatHlc({ millis: start + p * batch + i, counter: 0, clientId: `client${c}` }),
    table: 'todos',
    row: `row-${c}-${p}-${i}`,
    column: i % 2 ? 'title' : 'done',
    value: i % 2 ? `A todo title number ${i}, of typical length` : false,
  })),
})));

const t0 = performance.now();
let sent = 0;
await Promise.all(bodies.map(async (list) => {
  for (const body of list) {
    const res = await fetch(`${server.url}/v1/sync`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body,
    });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
    sent += batch;
  }
}));
const seconds = (performance.now() - t0) / 1000;
await server.close();
rmSync(dir, { recursive: true, force: true });
console.log(`${sent} messages in ${seconds.toFixed(2)} s: ${Math.round(sent / seconds)} msg/s (${clients} clients, ${batch} per push, compaction ${values.compaction})`);
