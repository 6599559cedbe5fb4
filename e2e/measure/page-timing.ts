/**
 * Timing for the measurements (app-writes.ts): a Node function's times, a page action's time
 * to the first frame that shows it, and the CPU time of a process tree.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
export const fmt = (xs: number[]) => `median ${median(xs).toFixed(1)} ms (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)}, n=${xs.length})`;
export function time(n: number, fn: () => unknown): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** In the page: runs `act`, and resolves with the ms until the first frame where `done()` holds. */
export async function timed(page: Page, act: string, done: string, arg: unknown): Promise<number> {
  return page.evaluate(
    async ({ act, done, arg }) => {
      const run = new Function('arg', act) as (a: unknown) => void;
      const ok = new Function('arg', done) as (a: unknown) => boolean;
      const t0 = performance.now();
      (window as unknown as { __t0: number }).__t0 = t0;
      run(arg);
      for (;;) {
        await new Promise((r) => requestAnimationFrame(r));
        if (ok(arg)) return performance.now() - t0;
        if (performance.now() - t0 > 30_000) return Number.NaN;
      }
    },
    { act, done, arg },
  );
}

export const settle = (page: Page) => page.waitForTimeout(300);

/** CPU ms (user + system) used so far by these processes and their descendants (Linux /proc). */
export function cpuMs(roots: readonly number[]): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const f = readFileSync(`/proc/${name}/stat`, 'utf8');
      const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(name), { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) });
    } catch {
      // gone meanwhile
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, i = 0; p > 1 && i < 50; p = stats.get(p)?.ppid ?? 0, i++) if (roots.includes(p)) return true;
    return false;
  };
  let ticks = 0;
  for (const [pid, s] of stats) if (inTree(pid)) ticks += s.ticks;
  return ticks * 10; // USER_HZ is 100
}
