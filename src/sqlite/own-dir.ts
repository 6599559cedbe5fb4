/**
 * A private folder that must also be this process's user's own (or root's), with the files it
 * keeps: the server's data dir (server/own-files.ts, round 55) and the app's profile
 * (src/main/core/own-profile.ts, round 59). A mode keeps out the users who must go through the
 * folder, not its owner: another user who made the folder first, or put a file (or a link to
 * one it keeps elsewhere) in it while it was open to others, could change the mode back and
 * read it. Root's `chmod` never fails, so root passed every other check. One walk for both,
 * each caller saying in its own words (and error class) what to do. POSIX only: Windows has
 * no uids (docs/security.md, "File permissions on Windows").
 */
import { existsSync, lstatSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { invalidArgument } from '../sync/errors.ts';
import { checkPath, ensurePrivateDir } from './private-files.ts';

/** The error for `what`, owned by `owner`, found by a process running as `self`. */
export type ForeignOwnerError = (what: string, owner: number, self: number) => Error;

/** Throws `refuse`'s error unless `stats` (of `what`) are this process's user's or root's; nothing without uids. */
export function refuseForeignOwner(stats: Pick<Stats, 'uid'>, what: string, refuse: ForeignOwnerError): void {
  if (typeof stats !== 'object' || stats === null || !Number.isSafeInteger(stats.uid)) throw invalidArgument('refuseForeignOwner: stats must be an object with a numeric uid (what statSync gives)');
  checkNaming('refuseForeignOwner', 'what', what, refuse);
  const self = typeof process.geteuid === 'function' ? process.geteuid() : null;
  if (self === null || stats.uid === self || stats.uid === 0) return;
  throw refuse(what, stats.uid, self);
}

/**
 * `dir` (named `name` in a refusal) checked to be this user's (what a link to it points to),
 * made private (0700) and checked again, then each of `files` that exists in it: its own entry
 * (lstat: a link another user made) and what it points to. A dangling link of this user's is
 * let be: what opens the file creates its target.
 */
export function ensureOwnDir(dir: string, files: readonly string[], name: string, refuse: ForeignOwnerError): void {
  checkPath('ensureOwnDir', dir);
  if (!Array.isArray(files) || !files.every((f) => typeof f === 'string' && f !== '' && !f.includes('\u0000'))) {
    throw invalidArgument('ensureOwnDir: files must be an array of file names (non-empty strings)');
  }
  checkNaming('ensureOwnDir', 'name', name, refuse);
  // Checked before the chmod too: root's would change another user's folder before refusing it.
  if (existsSync(dir)) refuseForeignOwner(statSync(dir), `${name} ${dir}`, refuse);
  ensurePrivateDir(dir);
  refuseForeignOwner(statSync(dir), `${name} ${dir}`, refuse);
  for (const file of files.map((f) => join(dir, f))) {
    const entry = statOrNull(() => lstatSync(file));
    if (entry === null) continue;
    refuseForeignOwner(entry, file, refuse);
    const target = entry.isSymbolicLink() ? statOrNull(() => statSync(file)) : null;
    if (target !== null) refuseForeignOwner(target, `${file} (where its link points)`, refuse);
  }
}

/** `text` (argument `arg` of `fn`) a non-empty string, and `refuse` a function: else a ValidationError. */
function checkNaming(fn: string, arg: string, text: unknown, refuse: unknown): void {
  if (typeof text !== 'string' || text === '') throw invalidArgument(`${fn}: ${arg} must be a non-empty string`);
  if (typeof refuse !== 'function') throw invalidArgument(`${fn}: refuse must be a function that makes the error to throw`);
}

/** The stats `read` gives, or null for a path that does not exist (ENOENT); other errors as they come. */
function statOrNull(read: () => Stats): Stats | null {
  try {
    return read();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
