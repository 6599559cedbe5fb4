/**
 * The reference server in its own process, as users run it, so that the benchmark's client
 * side and the server do not share one event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthenticator } from '../../server/auth.ts';

export const BENCH_SECRET = 'fieldsync-bench-secret-fieldsync-bench-secret';
const root = join(import.meta.dirname, '..', '..');

export interface ServerProcess {
  readonly url: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
  token(userId: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startServerProcess(env: Record<string, string> = {}, dataDir?: string): Promise<ServerProcess> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'fieldsync-bench-server-'));
  const child = spawn(process.execPath, [join(root, 'server', 'main.ts')], {
    env: { ...process.env, PORT: '0', FIELDSYNC_DATA_DIR: dir, FIELDSYNC_SECRET: BENCH_SECRET, FIELDSYNC_LOG_LEVEL: 'warn', FIELDSYNC_MAX_DRIFT: '7d', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}: ${out}`)));
  });
  child.stdout?.resume();
  const auth = createAuthenticator(BENCH_SECRET);
  return {
    url,
    dataDir: dir,
    child,
    token: (userId) => auth.sign(userId, 3600),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
