/**
 * One server process per SQLite data dir. A second one on the same database would run, and
 * serve, but each process pokes only its own clients' event streams: a change pushed through
 * one never reaches the realtime clients of the other (they see it at their next interval
 * sync), and docs/protocol.md §8's durability holds for one process only. So the second is
 * refused at start, with what to do instead (several processes share PostgreSQL).
 *
 * The lock is a file in the data dir holding the owner's pid, made whole by one process only
 * (exclusive-file.ts). A file left by a process that is gone (killed, or the machine restarted) is
 * stale: it is replaced. PostgreSQL's postmaster.pid works the same way.
 */
import { readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config.ts';
import { createExclusive } from '../exclusive-file.ts';

export const LOCK_FILE = 'server.pid';

export interface DataDirLock {
  /** Removes the lock file (once; later calls do nothing). */
  release(): void;
}

/** Lock files this process holds: a pid of its own in a file not among these is stale. */
const held = new Set<string>();

/** True when a process with this pid exists (EPERM: it does, another user's). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in the lock file, or null when there is none (gone meanwhile, or unreadable). */
function ownerOf(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function lockDataDir(dir: string): DataDirLock {
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    // Made whole at once: a file read empty was taken for a stale lock, and deleted.
    if (createExclusive(file, `${process.pid}\n`, 0o600)) {
      held.add(file);
      let released = false; // this lock's own: the dir may be locked again since, by this process
      return {
        release() {
          if (released) return;
          released = true;
          held.delete(file);
          try {
            if (ownerOf(file) === process.pid) unlinkSync(file);
          } catch {
            // Gone already, or the dir is: nothing to release.
          }
        },
      };
    }
    const owner = ownerOf(file);
    if (owner !== null && (owner !== process.pid || held.has(file)) && isRunning(owner)) {
      throw new ConfigError(
        `another Fieldsync server (process ${owner}) uses the data dir ${dir}: one SQLite database takes one server process, ` +
          'since each pokes only its own clients. Stop it, give this one another --data-dir, or run several processes on PostgreSQL ' +
          `(docs/postgres.md). If no server runs, remove ${file}`,
      );
    }
    try {
      unlinkSync(file); // stale: its process is gone
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new ConfigError(`cannot lock the data dir ${dir}: ${file} keeps coming back`);
}
