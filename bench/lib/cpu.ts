/**
 * CPU and wall time of a piece of work, and the heap it keeps (after a full GC); the CPU time
 * of another process (a server), all its threads together or by thread.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
/** A full garbage collection, without starting Node with --expose-gc. */
export const collect = runInNewContext('gc') as () => void;

export interface Timing {
  /** Process CPU time (user + system), seconds: stable on a shared machine. */
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
}

export async function measure(fn: () => unknown): Promise<Timing> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds };
}

/**
 * The heap in use after a full GC: the JavaScript heap, plus memory outside it that is not
 * an ArrayBuffer (WebAssembly's memory, for Automerge). Buffers are left out: the HTTP
 * client's come and go with its connections, and no replica keeps its data in one.
 */
export function heapInUse(): number {
  collect();
  collect();
  const m = process.memoryUsage();
  return m.heapUsed + m.external - m.arrayBuffers;
}

/** Clock ticks per second of /proc times: 100 on every Linux this runs on (USER_HZ). */
const TICKS_PER_SECOND = 100;

/** User and system time of a /proc `stat` line, in seconds; null if it cannot be read. */
function statCpuSeconds(stat: string): number | null {
  // Fields after the command name (which may hold spaces), which ends with ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / TICKS_PER_SECOND : null;
}

/**
 * CPU seconds of another process, all its threads together (Linux's /proc/<pid>/stat: user
 * and system time), so that a benchmark can say how many cores a server kept busy. Null where
 * /proc is not available (macOS, Windows).
 */
export function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    return statCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * CPU seconds of another process's threads, summed by thread name (Linux's
 * /proc/<pid>/task/<tid>/comm and stat), so that a benchmark can say which thread was busy:
 * the server names its own (server/thread-names.ts). A thread that has ended is not counted.
 * Null where /proc is not available.
 */
export function threadCpuSeconds(pid: number | undefined): Map<string, number> | null {
  if (pid === undefined) return null;
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  const byName = new Map<string, number>();
  for (const tid of tids) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const seconds = statCpuSeconds(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
      if (seconds !== null) byName.set(name, (byName.get(name) ?? 0) + seconds);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return byName;
}
