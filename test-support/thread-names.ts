/**
 * The names the operating system gives this process's threads (Linux: /proc/self/task/<tid>/comm),
 * and whether this Node names a worker's thread after its `name` option (Node 24 does), for the
 * tests of the server's named threads and of the bench's CPU by thread. Where either is missing,
 * those tests are skipped with the reason, not passed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/** The names of this process's threads. */
export function threadNames(): string[] {
  return readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      return [readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim()];
    } catch {
      return []; // ended meanwhile
    }
  });
}

/** The nice value of each of this process's threads with a name (Linux: field 19 of /proc/self/task/<tid>/stat). */
export function threadNices(): { readonly name: string; readonly nice: number }[] {
  return readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // After the name in parentheses (which may hold spaces), the fields from the third on.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return [{ name: readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim(), nice: Number(fields[16]) }];
    } catch {
      return []; // ended meanwhile
    }
  });
}

/** True where /proc shows threads and a worker's thread carries its `name`. */
export async function namesWorkerThreads(): Promise<boolean> {
  if (process.platform !== 'linux' || !existsSync('/proc/self/task')) return false;
  const probe = new Worker('setTimeout(() => {}, 2000)', { eval: true, name: 'fs-name-probe' });
  try {
    await new Promise((resolve) => probe.once('online', resolve));
    return threadNames().includes('fs-name-probe');
  } finally {
    await probe.terminate();
  }
}
