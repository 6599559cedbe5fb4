/**
 * 4. Catch-up: a fresh client downloads a user's whole history from the server over HTTP and
 * applies it to its SQLite store. The server's database is filled directly (without
 * compaction, so every message is kept and sent) before the server starts. The client runs
 * in its own process, and its peak RSS is read at two sizes: it must stay flat as the data
 * grows, because the client holds one page at a time. Its transport is `fieldsync/node`'s
 * nodeFetch, or Node's global fetch (bench/catch-up-client.ts).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createSqliteServerStore } from '../../server/stores/sqlite-server-store.ts';
import { tempDir } from '../lib/client-db.ts';
import { benchMessage } from '../lib/messages.ts';
import type { Transport } from '../lib/fieldsync-pull.ts';
import { startServerProcess } from '../lib/server-process.ts';

const run = promisify(execFile);

export interface CatchUpResult {
  readonly messages: number;
  readonly transport: Transport;
  readonly seconds: number;
  readonly messagesPerSecond: number;
  readonly maxRssMB: number;
}

/** One server filled with `messages`; a fresh client catches up once per transport, each in its own process and database. */
export async function catchUp(options: { messages: number; transports?: readonly Transport[] }): Promise<CatchUpResult[]> {
  const dir = tempDir('catch-up');
  try {
    // Fill the server's database as the server itself would store pushes (compaction off).
    const seed = createSqliteServerStore({ file: join(dir.path, 'server', 'fieldsync.sqlite'), compaction: false });
    const writers = ['phone', 'laptop', 'tablet'];
    for (let start = 0; start < options.messages; start += 5000) {
      const clientId = writers[(start / 5000) % writers.length] as string;
      seed.push('bench', Array.from({ length: Math.min(5000, options.messages - start) }, (_, i) => benchMessage(clientId, start + i)));
    }
    seed.close();
    const server = await startServerProcess({ FIELDSYNC_COMPACTION: 'off' }, join(dir.path, 'server'));
    try {
      const out: CatchUpResult[] = [];
      for (const transport of options.transports ?? ['node:http']) {
        const { stdout } = await run(process.execPath, [
          join(import.meta.dirname, '..', 'catch-up-client.ts'), server.url, await server.token('bench'), dir.file(`client-${out.length}.db`), String(options.messages), transport,
        ], { maxBuffer: 1 << 20 });
        const r = JSON.parse(stdout.trim().split('\n').pop() as string) as { seconds: number; maxRssMB: number };
        out.push({ messages: options.messages, transport, seconds: r.seconds, messagesPerSecond: options.messages / r.seconds, maxRssMB: r.maxRssMB });
      }
      return out;
    } finally {
      await server.stop();
    }
  } finally {
    dir.remove();
  }
}
