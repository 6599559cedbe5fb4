/**
 * One server process per SQLite data dir. A second one on the same database would run, and
 * serve, but each process pokes only its own clients' event streams: a change pushed through
 * one never reaches the realtime clients of the other (they see it at their next interval
 * sync), and docs/protocol.md §8's durability holds for one process only. So the second is
 * refused at start, with what to do instead (several processes share PostgreSQL).
 *
 * The lock is the operating system's, so it dies with its process however that ends (kill -9,
 * a crash, a reboot): an exclusive SQLite lock on `server.lock` in the data dir (locking mode
 * EXCLUSIVE, as the client holds its profile's database, app-core.ts; fcntl on POSIX,
 * LockFileEx on Windows). It used to be the `server.pid` file alone, taken for stale when its
 * pid ran no process. But a dead server's pid often runs another process by the next start
 * (pids are reused, most of all after a reboot or in a restarted container), and the server
 * then refused to start until someone removed the file.
 *
 * `server.pid` is still written, once the lock is held: it names the owner in the refusal and
 * for operators. It is information only: one left by a dead server is overwritten, even when
 * its pid now runs another process. But `server.lock` keeps the pid of the last process that
 * took it, and a live process in `server.pid` that is not that one (nor this one) did not take
 * the lock: most likely a server of a version from before the lock, which holds none and which
 * this one cannot see (an upgrade, or a roll back and forth, started before the old server
 * stopped). The start is then refused, and the lock file left as it was, until that process
 * ends or `server.pid` is removed (what the refusal says to do). A best effort: an old server
 * and a new one with the same pid (each pid 1 in its container, on a shared volume) pass.
 *
 * `server.lock` stays in the dir: removed, a process that opened it just before could still
 * lock the old file while another locks a new one. Nothing else in this process may open it
 * either: POSIX drops all of a process's locks on a file when any descriptor of it is closed
 * (SQLite keeps its own connections from doing so).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as NodeSqlite from 'node:sqlite';
import { ConfigError } from '../config.ts';

export const LOCK_FILE = 'server.lock';
export const PID_FILE = 'server.pid';

/** Owner only, like every file in the data dir (the dir itself is 0700: ensurePrivateDir). */
const FILE_MODE = 0o600;
const SQLITE_BUSY = 5;
/** How long a start that reserved the lock file waits for one refused meanwhile to let go of it (takeLock). */
const SETTLE_MS = 2000;

export interface DataDirLock {
  /** Removes server.pid and lets go of the lock (once; later calls do nothing). */
  release(): void;
}

/**
 * The lock databases this process holds. A DatabaseSync that nothing references is closed when
 * it is garbage-collected, and its lock goes with it: a caller that drops its DataDirLock must
 * still hold the dir until it releases it, or the process ends.
 */
const held = new Set<NodeSqlite.DatabaseSync>();

/** True when a process with this pid exists (EPERM: it does, another user's). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in server.pid, or null when there is none (gone meanwhile, or unreadable). */
function ownerOf(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Node's own SQLite driver, which the store worker uses too. Loaded here, on first use, not
 * at import: a PostgreSQL server never needs it. Node 22 and 23 warn that it is experimental,
 * once per thread; the store's thread says so already (README.md), so this one stays quiet.
 */
function sqlite(): typeof NodeSqlite {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]): void {
    if (String(warning).startsWith('SQLite is an experimental feature')) return;
    Reflect.apply(emitWarning, this, [warning, ...rest]);
  } as typeof process.emitWarning;
  try {
    return process.getBuiltinModule('node:sqlite');
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** Creates the lock file 0600 (SQLite would make it 0644), without opening one that exists: see above. */
function createLockFile(file: string): void {
  try {
    closeSync(openSync(file, 'wx', FILE_MODE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const mode = statSync(file).mode & 0o777;
    if ((mode & ~FILE_MODE) !== 0) chmodSync(file, mode & FILE_MODE);
  }
}

/**
 * The lock database, holding its exclusive lock; 'held' when another connection holds it, or is
 * taking it; 'open elsewhere' when a program other than a server keeps it open.
 *
 * Two processes starting at once must not both be refused. Each takes a SHARED lock on the way
 * to the EXCLUSIVE one, and the one that reserved the file first must wait for the other's to
 * go: without waiting, both failed (start-race.test.ts: a dir in a few hundred that neither
 * took). So the file is reserved without waiting: a process that finds it held, or reserved by
 * another, is refused at once and lets go; the one that reserved it then waits for that
 * (SETTLE_MS at most) and writes, which takes the EXCLUSIVE lock. EXCLUSIVE locking mode,
 * switched on once the file is reserved, keeps it until the connection closes. `check` runs
 * while the file is reserved, with the pid of the last process that took it (0: none ever
 * did); it throws to refuse.
 */
function takeLock(file: string, check: (lastOwner: number) => void): NodeSqlite.DatabaseSync | 'held' | 'open elsewhere' {
  const db = new (sqlite().DatabaseSync)(file);
  let reserved = false;
  try {
    db.exec('PRAGMA busy_timeout = 0');
    db.exec('PRAGMA journal_mode = MEMORY'); // no -journal file next to it
    db.exec('PRAGMA synchronous = OFF'); // what it writes does not matter: no fsync
    db.exec('BEGIN IMMEDIATE');
    reserved = true;
    check((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
    db.exec(`PRAGMA busy_timeout = ${SETTLE_MS}`);
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    db.exec(`PRAGMA user_version = ${process.pid}`); // a write: the commit takes the EXCLUSIVE lock
    db.exec('COMMIT');
    return db;
  } catch (err) {
    db.close();
    const { errcode } = err as { errcode?: unknown };
    // Busy once reserved: not a server (a server holds the file whole, and one starting lets go
    // at once when refused), but a program that keeps it open to read (a sqlite3 shell, a backup).
    if (typeof errcode === 'number' && (errcode & 0xff) === SQLITE_BUSY) return reserved ? 'open elsewhere' : 'held';
    throw err;
  }
}

/** Writes this process's pid whole, 0600 even over an older file of another mode. */
function writePid(file: string): void {
  const temp = `${file}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temp, `${process.pid}\n`, { flag: 'wx', mode: FILE_MODE });
  try {
    renameSync(temp, file);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // Gone already: nothing to tidy.
    }
    throw err;
  }
}

/** Refuses a dir whose server.pid names a live process that is not the last to take server.lock (see above). */
function refuseOlderServer(dir: string, pidFile: string, lastOwner: number): void {
  const owner = ownerOf(pidFile);
  if (owner === null || owner === process.pid || owner === lastOwner || !isRunning(owner)) return;
  throw new ConfigError(
    `${pidFile} names process ${owner}, which is running and never took ${LOCK_FILE} in the data dir ${dir}: it may be a Fieldsync ` +
      `server of a version from before ${LOCK_FILE}, which this one cannot see. Stop it and start again; if process ${owner} ` +
      `is not a Fieldsync server, remove ${pidFile} and start again`,
  );
}

export function lockDataDir(dir: string): DataDirLock {
  const lockFile = join(dir, LOCK_FILE);
  const pidFile = join(dir, PID_FILE);
  createLockFile(lockFile);
  const db = takeLock(lockFile, (lastOwner) => refuseOlderServer(dir, pidFile, lastOwner));
  if (db === 'open elsewhere') {
    throw new ConfigError(`cannot lock the data dir ${dir}: ${lockFile} is open in another program (a sqlite3 shell, a backup tool?), not a Fieldsync server: close it and start again`);
  }
  if (db === 'held') {
    // The owner writes its pid after it takes the lock: a pid read before then is an older one.
    const owner = ownerOf(pidFile);
    const who = owner !== null && isRunning(owner) ? `process ${owner}` : `the process that holds ${lockFile}`;
    throw new ConfigError(
      `another Fieldsync server (${who}) uses the data dir ${dir}: one SQLite database takes one server process, ` +
        'since each pokes only its own clients. Stop it, give this one another --data-dir, or run several processes on PostgreSQL ' +
        '(docs/postgres.md)',
    );
  }
  try {
    writePid(pidFile);
  } catch (err) {
    db.close();
    throw err;
  }
  held.add(db);
  let released = false; // this lock's own: the dir may be locked again since, by this process
  return {
    release() {
      if (released) return;
      released = true;
      try {
        // Before the lock goes: until then, no other process writes server.pid.
        if (ownerOf(pidFile) === process.pid) unlinkSync(pidFile);
      } catch {
        // Gone already, or the dir is: nothing to remove.
      }
      held.delete(db);
      db.close();
    },
  };
}
