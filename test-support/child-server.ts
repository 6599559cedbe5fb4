/** `node server/main.ts` (and the token CLI) as child processes, as an operator runs them. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');

export interface ChildServer {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code (or signal) when the process ends. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnServer(env: Record<string, string>, args: string[] = []): Promise<ChildServer> {
  const child = spawn(process.execPath, [join(ROOT, 'server', 'main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', FIELDSYNC_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ready line within 15 s; stdout: ${out}; stderr: ${err}`));
    }, 15_000);
    const onData = (): void => {
      const match = /^fieldsync server listening on (http:\/\/\S+)$/m.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({ child, url: match[1] as string, stdout: () => out, stderr: () => err, exited });
    };
    child.stdout.on('data', onData);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before it was ready; stderr: ${err}`));
    });
  });
}

/** Stops every server in `servers` still running (SIGTERM, then its exit awaited) and empties the list: a suite's teardown. */
export async function stopServers(servers: ChildServer[]): Promise<void> {
  for (const s of servers.splice(0)) {
    if (s.child.exitCode === null && s.child.signalCode === null) {
      s.child.kill('SIGTERM');
      await s.exited;
    }
  }
}

/** Runs a command to completion (main.ts with bad settings, the token CLI). */
export function runScript(script: string, args: string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'server', script), ...args], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', FIELDSYNC_LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
