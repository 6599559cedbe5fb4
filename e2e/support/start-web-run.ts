/**
 * `npm run start:web` as a user runs it, for the one-screen test: the real script as a child
 * process (its own server on a free port, temporary profiles, the suite's build, `--no-open`),
 * with the links it prints: the viewer's first, then each instance's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { rendererDir } from '../../scripts/app-build.ts';
import { repoRoot } from '../../scripts/processes.ts';
import { freePort } from '../../test-support/free-port.ts';

export interface StartWebRun {
  readonly viewerUrl: string;
  readonly instanceUrls: readonly string[];
  logs(): string;
  /** Ctrl-C, as a user stops it; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export async function runStartWeb(dir: string, instances: number): Promise<StartWebRun> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    ['scripts/start-web.ts', '--instances', String(instances), '--server', `http://127.0.0.1:${port}`, '--no-build', '--no-open'],
    {
      cwd: repoRoot,
      env: { ...process.env, FIELDSYNC_DATA_DIR: join(dir, 'server'), FIELDSYNC_WEB_DIR: join(dir, 'web'), FIELDSYNC_RENDERER_DIR: rendererDir, FIELDSYNC_SECRET: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const urls = await new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`start:web printed no links:\n${stdout}\n${stderr}`)), 60_000);
    child.stdout?.on('data', (d) => {
      stdout += d;
      const lines = stdout.split('\n').filter((l) => l.startsWith('http://'));
      if (lines.length >= instances + 1) {
        clearTimeout(timer);
        resolve(lines);
      }
    });
    void exited.then((code) => reject(new Error(`start:web exited (${code}):\n${stdout}\n${stderr}`)));
  });
  return {
    viewerUrl: urls[0] as string,
    instanceUrls: urls.slice(1),
    logs: () => `${stdout}\n${stderr}`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
