/**
 * CPU time of another process, all its threads together (Linux's /proc/<pid>/stat: user and
 * system time), so that a benchmark can say how many cores a server kept busy: CPU seconds
 * over wall seconds. Null where /proc is not available (macOS, Windows).
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc times: 100 on every Linux this runs on (USER_HZ). */
const TICKS_PER_SECOND = 100;

export function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), which ends with ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / TICKS_PER_SECOND : null;
  } catch {
    return null;
  }
}
