/**
 * Ingest benchmark of several server processes on one PostgreSQL database, over real HTTP:
 * pushes of 1000 messages, from several clients at once, spread round-robin over the
 * processes. Starts its own PostgreSQL (embedded, durable: fsync on) unless
 * FIELDSYNC_BENCH_DATABASE_URL names one (a role that may create databases).
 *
 *   node bench/postgres-ingest.ts [--processes 3] [--clients 6] [--pushes 120] [--batch 1000]
 *                                 [--users one|many] [--compaction on|off] [--fsync on|off]
 *
 * `--users one`: every client is a client of one user (their pushes queue on the user's
 * counter row); `many`: each client is its own user. Bodies are serialized before the clock
 * starts, so the numbers are the servers' and the database's.
 */
import { parseArgs } from 'node:util';
import { formatHlc } from 'fieldsync/server';
import { createAuthenticator } from '../server/auth.ts';
import { spawnServer, type ChildServer } from '../test-support/child-server.ts';
import { tempDir } from '../test-support/temp-dir.ts';
import { benchDatabase } from './lib/postgres.ts';

const { values } = parseArgs({
  options: {
    processes: { type: 'string', default: '3' },
    clients: { type: 'string', default: '6' },
    pushes: { type: 'string', default: '120' },
    batch: { type: 'string', default: '1000' },
    users: { type: 'string', default: 'many' },
    compaction: { type: 'string', default: 'on' },
    fsync: { type: 'string', default: 'on' },
  },
});
const processes = Number(values.processes);
const clients = Number(values.clients);
const pushes = Number(values.pushes);
const batch = Number(values.batch);
const secret = 'bench-secret-bench-secret-bench-secret-0000';
const auth = createAuthenticator(secret);

const database = await benchDatabase('fs_ingest', { durable: values.fsync !== 'off' });
const dir = tempDir('fieldsync-bench-');
const servers: ChildServer[] = [];
try {
  servers.push(...await Promise.all(Array.from({ length: processes }, () => spawnServer({
    FIELDSYNC_DATABASE_URL: database.url, FIELDSYNC_SECRET: secret, FIELDSYNC_DATA_DIR: dir.path,
    FIELDSYNC_COMPACTION: values.compaction as string, FIELDSYNC_MAX_DRIFT: '7d', FIELDSYNC_MAX_INFLIGHT_PER_USER: '1000',
  }))));
  const tokens = await Promise.all(Array.from({ length: clients }, (_, c) => auth.sign(values.users === 'one' ? 'bench' : `bench-${c}`, 3600)));
  const start = Date.UTC(2026, 0, 1);
  const bodies = Array.from({ length: clients }, (_, c) => Array.from({ length: Math.ceil(pushes / clients) }, (_, p) => JSON.stringify({
    clientId: `client${c}`, cursor: 0, limit: 1,
    messages: Array.from({ length: batch }, (_, i) => ({
      hlc: formatHlc({ millis: start + p * batch + i, counter: 0, clientId: `client${c}` }),
      table: 'todos', row: `row-${c}-${p}-${i}`, column: i % 2 ? 'title' : 'done',
      value: i % 2 ? `A todo title number ${i}, of typical length` : false,
    })),
  })));
  let sent = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(bodies.map(async (list, c) => {
    for (const body of list) {
      const url = (servers[next++ % servers.length] as ChildServer).url;
      const res = await fetch(`${url}/v1/sync`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[c]}` }, body,
      });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
      sent += batch;
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  console.log(`${sent} messages in ${seconds.toFixed(2)} s: ${Math.round(sent / seconds)} msg/s (${processes} processes, ${clients} clients, ${values.users === 'one' ? 'one user' : 'a user each'}, ${batch} per push, compaction ${values.compaction}, fsync ${values.fsync})`);
} finally {
  for (const s of servers) {
    s.child.kill('SIGTERM');
    await s.exited;
  }
  dir.remove();
  await database.drop();
}
