/**
 * The data dir and the files the server keeps in it must be its own user's (or root's), as ssh
 * asks of a private key. Making them 0700 and 0600 is not enough: a mode keeps out users who
 * must go through the dir, not the file's owner. Another user of the machine who got there
 * first (a `--data-dir /tmp/fieldsync` it made itself, or a dir that was open to others
 * before the server tightened it) could put in a `token-secret` it knows, and sign a token for
 * any user; or a database it owns (a hard link kept elsewhere), whose mode it can change back
 * to read every user's data. Root, running the server, passed every check: its `chmod` never
 * fails. So a dir or file of another user is refused at start, with how to fix it. POSIX only:
 * Windows has no uids (docs/security.md, "File permissions on Windows").
 */
import type { Stats } from 'node:fs';
import { ensureOwnDir, refuseForeignOwner as refuseForeign } from 'fieldsync/sqlite';
import { ConfigError } from './config.ts';

const foreignDataDir = (what: string, owner: number, self: number): ConfigError => new ConfigError(
  `${what} belongs to another user (uid ${owner}), not to the user this server runs as (uid ${self}): that user could read ` +
    'or replace what the server keeps there (the token secret, every user\'s data). If it is yours, give it to this user ' +
    `(chown); otherwise remove it, or give --data-dir a folder of this user's own`,
);

/** Refuses what `stats` describe (`what`, as the refusal names it) unless it is this process's user's or root's. */
export function refuseForeignOwner(stats: Pick<Stats, 'uid'>, what: string): void {
  refuseForeign(stats, what, foreignDataDir);
}

/**
 * The data dir, made private (0700) and checked to be this user's (what a symbolic link to it
 * points to), with the files named in it that exist: each file's own entry (lstat: a link
 * another user made, symbolic or hard, to a file it keeps elsewhere) and what it points to
 * (the walk is src/sqlite/own-dir.ts, shared with the app's profile).
 */
export function ensureOwnDataDir(dir: string, files: readonly string[]): void {
  ensureOwnDir(dir, files, 'the data dir', foreignDataDir);
}
