/**
 * Runs lives of test-support/crash-client.ts in child processes for the crash tests
 * (killed-client.test.ts: one at a time; two-processes.test.ts: two at once on one file),
 * and kills a `timer` life from here, a seeded number of ms after it started writing.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './child-server.ts';
import type { CrashLife } from './crash-client.ts';

const SCRIPT = join(ROOT, 'test-support', 'crash-client.ts');
/**
 * Node's compile cache for the lives (round 66): each life loads about a hundred TypeScript
 * modules, and stripping and compiling them again in each of a seed's dozen processes was most
 * of two-processes.test.ts's CPU (0.5 s a start; 0.15 s from the cache). Its entries are
 * checked against each file's content, so a stale one is compiled again, never run. It lives in
 * the repository's own node_modules/.cache, not a shared temp folder another local user could
 * fill first.
 */
/** How long a life may take to say its first line, and to end after go(): a bound for a hung one. */
const LIFE_BOUND_MS = 60_000;
const COMPILE_CACHE = join(ROOT, 'node_modules', '.cache', 'crash-client-compile-cache');

export interface Life {
  readonly lines: string[];
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
}

export interface RunningLife {
  /** Resolves once the child has opened its client (its first line) or has died before. */
  readonly ready: Promise<void>;
  /** Lets a gated life start writing; arms a `timer` life's kill `ms` from now. */
  go(ms: number): void;
  /** Its end: rejects when it exited otherwise than cleanly or by SIGKILL. */
  readonly ended: Promise<Life>;
}

/** Starts one life. A gated life (`life.gate`) waits for go() before its first write. */
export function startLife(life: CrashLife): RunningLife {
  const child = spawn(process.execPath, [SCRIPT, JSON.stringify(life)], { cwd: ROOT, env: { ...process.env, NODE_COMPILE_CACHE: COMPILE_CACHE }, stdio: ['pipe', 'pipe', 'pipe'] });
  // A life killed before go() closed its end of the pipe: nothing to tell it.
  child.stdin.on('error', () => {});
  let out = '';
  let err = '';
  let opened = (): void => {};
  const ready = new Promise<void>((resolve) => (opened = resolve));
  // A life that hangs is killed: bounded until its first line, and again from go() (round 66:
  // not from its start, since a gated life may wait a round for go(), and a life that had not
  // ended 30 s after its start under load was killed and read as one killed on purpose).
  let guard = setTimeout(() => child.kill('SIGKILL'), LIFE_BOUND_MS);
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    if (out.includes('\n')) {
      clearTimeout(guard);
      opened();
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const ended = new Promise<Life>((resolve, reject) => child.once('exit', (code, signal) => {
    clearTimeout(guard);
    opened();
    if (code === 0 || signal === 'SIGKILL') resolve({ lines: out.split('\n').filter(Boolean), signal, code });
    else reject(new Error(`life ${life.life} (${life.kill}) exited with ${code ?? signal}: ${err}`));
  }));
  return {
    ready,
    go(ms) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      clearTimeout(guard);
      guard = setTimeout(() => child.kill('SIGKILL'), LIFE_BOUND_MS);
      if (life.kill === 'timer') setTimeout(() => child.kill('SIGKILL'), ms);
      child.stdin.end(life.gate ? 'go\n' : '');
    },
    ended,
  };
}

/** Runs one life to its end; a `timer` life is killed `ms` after it said `ready`. */
export async function runLife(life: CrashLife, ms: number): Promise<Life> {
  const running = startLife(life);
  await running.ready;
  running.go(ms);
  return running.ended;
}

/** Every item once, in a seeded order (Fisher-Yates). */
export function shuffled<T>(list: readonly T[], random: () => number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
