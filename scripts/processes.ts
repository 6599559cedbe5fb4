/**
 * Child processes that print a "listening on http://127.0.0.1:PORT" line when ready: the
 * reference server (`server/main.ts`) and browser hosts (`src/web-host/main.ts`). Used by
 * `npm run start:web` and the end-to-end tests.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..');

export interface NodeProcessOptions {
  /** For messages: "server", "web-1". */
  readonly name: string;
  /** The script and its arguments, relative to the repository root. */
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How long to wait for the ready line. */
  readonly timeoutMs?: number;
  /** Each line the process prints on stderr (stdout lines after the ready line too). */
  readonly onLine?: (line: string) => void;
  /** `onLine` shows each line to the user: an error then does not repeat the output. */
  readonly linesShown?: boolean;
  /** Its own process group: a Ctrl-C in the terminal reaches only the parent, which stops it. */
  readonly detached?: boolean;
  /** An IPC channel to it (browser hosts: `newLoginUrl`; `stop` on Windows). */
  readonly ipc?: boolean;
  /** How `stop` asks it to end (stopRequest); the tests pass another platform. */
  readonly platform?: NodeJS.Platform;
}

export interface NodeProcess {
  readonly name: string;
  readonly pid: number;
  /** The URL of its ready line, such as `http://127.0.0.1:8787`, without a trailing slash. */
  readonly url: string;
  /** A browser host's one-time sign-in URL, from its ready line (`sign in at …`); null for others. */
  readonly loginUrl: string | null;
  readonly port: number;
  /** Resolves with the exit code (or the signal) when it exits. */
  readonly exited: Promise<number | string>;
  /** What it printed, the last 64 KiB. */
  output(): string;
  /** A browser host started with `ipc`: a fresh one-time sign-in URL, asked over its IPC channel. */
  newLoginUrl(): Promise<string>;
  /** Sends a signal (SIGTERM by default) and waits for it to exit; SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | string>;
}

/**
 * How `stop` asks a child to end. Windows has no signals: `kill()` with any of them ends the
 * process at once, as SIGKILL does (Node's docs, subprocess.kill), so the server and the hosts
 * never closed their databases nor removed server.pid. There a child with an IPC channel is
 * asked by closing the channel: both stop as on SIGTERM when it closes (server/main.ts,
 * src/web-host/main.ts, 'disconnect').
 */
export function stopRequest(signal: NodeJS.Signals, connected: boolean, platform: NodeJS.Platform): 'disconnect' | 'signal' {
  return platform === 'win32' && connected && signal !== 'SIGKILL' ? 'disconnect' : 'signal';
}

const READY = /listening on (http:\/\/127\.0\.0\.1:(\d+))\/?/;
const LOGIN = /sign in at (http:\/\/127\.0\.0\.1:\d+\/login\?\S+)/;
const MAX_OUTPUT = 64 * 1024;

/**
 * The child's spawn options. `windowsHide`: on Windows a detached child leaves the terminal's
 * console, and Node's docs say it gets a console window of its own, one empty window per
 * server and host; hidden, as its output comes through the pipes anyway. Nothing elsewhere.
 */
export function childSpawnOptions(options: NodeProcessOptions): SpawnOptions {
  return {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
    windowsHide: true,
  };
}

export function startNodeProcess(options: NodeProcessOptions): Promise<NodeProcess> {
  const child: ChildProcess = spawn(process.execPath, [...options.args], childSpawnOptions(options));
  let output = '';
  const record = (chunk: string): void => {
    output = (output + chunk).slice(-MAX_OUTPUT);
  };
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const lines = (stream: NodeJS.ReadableStream, onLine: (line: string) => void): void => {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      record(chunk);
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) onLine(line);
    });
  };

  // Its output, for an error: unless each line was shown already (a failing host's stack
  // trace was printed twice).
  const outputOf = (): string => (options.linesShown ? ' Its output is above.' : ` Its output:\n${output}`);
  return new Promise((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.name} did not start within ${options.timeoutMs ?? 20_000} ms.${outputOf()}`));
    }, options.timeoutMs ?? 20_000);
    lines(child.stderr as NodeJS.ReadableStream, (line) => options.onLine?.(line));
    lines(child.stdout as NodeJS.ReadableStream, (line) => {
      const match = ready ? null : READY.exec(line);
      if (!match) {
        options.onLine?.(line);
        return;
      }
      ready = true;
      clearTimeout(timer);
      const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<number | string> => {
        if (child.exitCode === null && child.signalCode === null) {
          if (stopRequest(signal, child.connected, options.platform ?? process.platform) === 'disconnect') child.disconnect();
          else child.kill(signal);
          const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
          await exited;
          clearTimeout(force);
        }
        return exited;
      };
      let asked = 0;
      const newLoginUrl = (): Promise<string> =>
        new Promise((resolveUrl, rejectUrl) => {
          if (!child.connected) return rejectUrl(new Error(`${options.name} has no IPC channel (start it with ipc: true)`));
          const id = ++asked;
          const timeout = setTimeout(() => {
            child.off('message', onMessage);
            rejectUrl(new Error(`${options.name} gave no sign-in link`));
          }, 5000);
          const onMessage = (m: unknown): void => {
            const reply = m as { type?: unknown; id?: unknown; url?: unknown } | null;
            if (reply?.type !== 'login-url' || reply.id !== id || typeof reply.url !== 'string') return;
            clearTimeout(timeout);
            child.off('message', onMessage);
            resolveUrl(reply.url);
          };
          child.on('message', onMessage);
          child.send({ type: 'login-url', id });
        });
      resolve({
        newLoginUrl,
        name: options.name,
        pid: child.pid as number,
        url: match[1] as string,
        loginUrl: LOGIN.exec(line)?.[1] ?? null,
        port: Number(match[2]),
        exited,
        output: () => output,
        stop,
      });
    });
    void exited.then((code) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new Error(`${options.name} exited (${code}) before it was ready.${outputOf()}`));
    });
  });
}
