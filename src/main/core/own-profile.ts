/**
 * A profile folder, and the database files in it, must be this process's user's own (or
 * root's), as the server asks of its data dir (server/own-files.ts, round 55). Making them
 * 0700 and 0600 keeps out the users who must go through the folder, not its owner: another
 * user of the machine who made the folder first (a browser host's `--profile-dir
 * /tmp/fieldsync-web`, taken before the user started it), or who put a database file (or a
 * link to one it keeps elsewhere) in it while it was open to others, could change the mode
 * back and read every todo. A core run by an ordinary user is stopped by its failed `chmod`
 * anyway; one run as root (a browser host in a container) passed every check and wrote the
 * data there. So such a profile is refused, before anything in it is changed. POSIX only:
 * Windows has no uids (docs/security.md, "File permissions on Windows").
 */
import { ensureOwnDir } from 'fieldsync/sqlite';

/** A profile, or a file in it, that belongs to another user: the core does not open it. */
export class ForeignProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForeignProfileError';
  }
}

const foreignProfile = (what: string, owner: number, self: number): ForeignProfileError => new ForeignProfileError(
  `${what} belongs to another user (uid ${owner}), not to the user this app runs as (uid ${self}): that user could read ` +
    "or replace the profile's data. If it is yours, give it to this user (chown); otherwise remove it, or choose a profile folder of this user's own",
);

/**
 * `dir` made private (0700) and checked to be this user's (what a symbolic link to it points
 * to), with the files named in it that exist: each one's own entry (lstat: a link another user
 * made) and what it points to (the walk is src/sqlite/own-dir.ts, shared with the server's
 * data dir). A dangling link of this user's is let be: SQLite creates its target.
 */
export function ensureOwnProfileDir(dir: string, files: readonly string[]): void {
  ensureOwnDir(dir, files, 'the profile folder', foreignProfile);
}
