/**
 * Files only their owner can read: the client's and the server's SQLite databases, their
 * folders, and the keys next to them. Other users of the machine must not read anyone's
 * todos or tokens, whatever the umask, and whatever an older version left behind.
 *
 * `mkdir`'s and `open`'s modes apply only to what they create, so what already exists is
 * tightened too (never loosened). On Windows `chmod` only sets the read-only flag: a folder
 * keeps the access list it inherits. The app's profiles are in %APPDATA%, which other users
 * cannot read; a folder elsewhere (the server's `./.data` in a clone under `C:\src`) is only
 * as private as its parent (docs/security.md, "File permissions on Windows").
 */
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { StoreError, invalidArgument } from '../sync/errors.ts';

/** Folders: the owner only. */
export const PRIVATE_DIR_MODE = 0o700;
/** Files: the owner only, and not executable. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * A path the app gives: a non-empty string without NUL. Node would read a number as a file
 * descriptor, and throw its own TypeError for anything else.
 */
export function checkPath(fn: string, path: unknown): void {
  if (typeof path !== 'string' || path === '' || path.includes('\u0000')) throw invalidArgument(`${fn}: the path must be a non-empty string`);
}

/** Drops the permission bits of `path` that `mode` does not have; nothing when it is missing. */
export function tightenMode(path: string, mode: number): void {
  let current: number;
  try {
    current = statSync(path).mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if ((current & ~mode) !== 0) chmodSync(path, current & mode);
}

/**
 * Creates `dir` (and missing parents) readable by its owner only, and tightens it if it
 * exists. For folders the app owns outright (a profile, the server's data dir), never for
 * a folder a user merely chose to put a file in.
 */
export function ensurePrivateDir(dir: string): void {
  checkPath('ensurePrivateDir', dir);
  try {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    tightenMode(dir, PRIVATE_DIR_MODE);
  } catch (err) {
    throw refused('the private folder', dir, err);
  }
}

/**
 * Makes sure a SQLite database file exists with mode 0600 before SQLite opens it (SQLite
 * would create it with the umask's 0644), and tightens an existing one and its journals.
 * SQLite gives new `-wal`, `-shm` and `-journal` files the mode of the database file.
 */
export function ensurePrivateDatabaseFile(file: string): void {
  checkPath('ensurePrivateDatabaseFile', file);
  try {
    makePrivateDatabaseFile(file);
  } catch (err) {
    throw refused('the private database file', file, err);
  }
}

/** ensurePrivateDatabaseFile's work, the system's error as it comes (openDatabase names it its own way). */
export function makePrivateDatabaseFile(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) tightenMode(f, PRIVATE_FILE_MODE);
}

/**
 * What the system refused (a path that is a file where a folder must be, a folder the user
 * may not write): a StoreError that names the path, the system's error (its `code`) as its
 * `cause`, as openDatabase reports a file it cannot open.
 */
function refused(what: string, path: string, err: unknown): StoreError {
  return new StoreError(`cannot make ${what} ${path}: ${err instanceof Error ? err.message : String(err)}`, err);
}
