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
/**
 * A hung life is told from a slow one by its progress (round 67: a fixed 60 s from go() was
 * the bound, which a slow life on a loaded machine could pass, and a hung one took that long
 * to fail, killed and then read as killed on purpose). Each life says `H` every second of its
 * own (crash-client.ts). A life whose heartbeats go on but that says nothing else, STALL_BEATS
 * of them in a row after go() (more than http-remote's 30 s request timeout, after which a
 * sync fails and says so), waits on something that never comes. A life that says nothing at
 * all, not even a heartbeat, for SILENT_MS (its modules loading, before the first) is stuck:
 * a starved process still turns its loop once a second, as every life beside it slows too.
 */
const STALL_BEATS = 45;
const SILENT_MS = 60_000;
const COMPILE_CACHE = join(ROOT, 'node_modules', '.cache', 'crash-client-compile-cache');

export interface Life {
  /** What it said, heartbeats left out. */
  readonly lines: string[];
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
}

export interface RunningLife {
  /** Resolves once the child has opened its client (its first line) or has died before. */
  readonly ready: Promise<void>;
  /** Lets a gated life start writing; arms a `timer` life's kill `ms` from now. */
  go(ms: number): void;
  /** Its end: rejects when it exited otherwise than cleanly or by SIGKILL, or hung. */
  readonly ended: Promise<Life>;
  /** Kills it (a round that failed: the lives started for the next one must not wait on). */
  kill(): void;
}

/** Starts one life. A gated life (`life.gate`) waits for go() before its first write. */
export function startLife(life: CrashLife): RunningLife {
  const child = spawn(process.execPath, [SCRIPT, JSON.stringify(life)], { cwd: ROOT, env: { ...process.env, NODE_COMPILE_CACHE: COMPILE_CACHE }, stdio: ['pipe', 'pipe', 'pipe'] });
  // A life killed before go() closed its end of the pipe: nothing to tell it.
  child.stdin.on('error', () => {});
  const lines: string[] = [];
  let partial = '';
  let err = '';
  let opened = (): void => {};
  const ready = new Promise<void>((resolve) => (opened = resolve));
  let started = false;
  let beats = 0;
  /** Why the guard killed it: a hung life fails, it is not read as one killed on purpose. */
  let hung: string | undefined;
  const hang = (why: string): void => {
    hung ??= why;
    child.kill('SIGKILL');
  };
  let silence = setTimeout(() => hang(`said nothing for ${SILENT_MS / 1000} s`), SILENT_MS);
  const said = (line: string): void => {
    if (line === 'H') {
      // Its loop turns; after go(), a heartbeat counts only while nothing else is said.
      if (started && ++beats >= STALL_BEATS) hang(`no progress over ${STALL_BEATS} of its heartbeats`);
      return;
    }
    beats = 0;
    lines.push(line);
    if (line.startsWith('ready')) opened();
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    clearTimeout(silence);
    silence = setTimeout(() => hang(`said nothing for ${SILENT_MS / 1000} s`), SILENT_MS);
    const parts = (partial + d).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) if (line !== '') said(line);
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const ended = new Promise<Life>((resolve, reject) => child.once('exit', (code, signal) => {
    clearTimeout(silence);
    opened();
    if (partial !== '') lines.push(partial);
    const last = lines.slice(-3).join(' | ') || '(nothing)';
    if (hung !== undefined) reject(new Error(`life ${life.life} (${life.kill}) hung: ${hung}; killed; its last lines: ${last}`));
    else if (code === 0 || signal === 'SIGKILL') resolve({ lines, signal, code });
    else reject(new Error(`life ${life.life} (${life.kill}) exited with ${code ?? signal}: ${err}`));
  }));
  return {
    ready,
    go(ms) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      started = true;
      beats = 0;
      if (life.kill === 'timer') setTimeout(() => child.kill('SIGKILL'), ms);
      child.stdin.end(life.gate ? 'go\n' : '');
    },
    ended,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
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
