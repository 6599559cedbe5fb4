/**
 * The token signing secret. Given by the operator (FIELDSYNC_SECRET), or generated once and
 * kept in the data dir in a file only the server's user can read (mode 0600). It is never
 * printed or logged.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, MIN_SECRET_LENGTH } from './config.ts';
import { createExclusive } from './exclusive-file.ts';
import { ensureOwnDataDir, refuseForeignOwner } from './own-files.ts';
import { secretWeakness } from './secret-strength.ts';

export const SECRET_FILE = 'token-secret';

/**
 * The secret: the given one, or the one in `dataDir` (created when missing; `onCreated` is
 * told the file then, for a caller that should say so).
 */
export function loadSecret(dataDir: string, given: string | undefined, onCreated?: (file: string) => void): string {
  if (given !== undefined) return given;
  ensureOwnDataDir(dataDir, [SECRET_FILE]);
  const file = join(dataDir, SECRET_FILE);
  // Never overwritten, and made whole at once: two processes starting at once both end up
  // reading one secret (one read it empty, and told the user to remove it).
  if (createExclusive(file, `${randomBytes(32).toString('base64url')}\n`, 0o600)) onCreated?.(file);
  const secret = readPrivate(file).trim();
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`the secret file ${file} is shorter than ${MIN_SECRET_LENGTH} characters; remove it to generate a new one`);
  }
  const weakness = secretWeakness(secret);
  if (weakness !== null) throw new ConfigError(`the secret in ${file} ${weakness.replace(/, or leave it unset.*$/, '')}; or remove the file to generate a new one`);
  return secret;
}

/**
 * The text of the secret file, which must be this user's and readable by no one else: tightened
 * to 0600 when it is looser (copied in so), refused when that cannot be done (a read-only
 * mount): a secret others can read lets them sign a token for any user. Checked on the file
 * opened, so what is read is what was checked.
 */
function readPrivate(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const stats = fstatSync(fd);
    refuseForeignOwner(stats, file);
    if ((stats.mode & 0o077) !== 0 && process.platform !== 'win32') {
      try {
        fchmodSync(fd, 0o600);
      } catch {
        // Checked below: a mode that stays open to others is refused.
      }
      if ((fstatSync(fd).mode & 0o077) !== 0) {
        throw new ConfigError(`the secret file ${file} can be read or written by other users (mode ${(stats.mode & 0o777).toString(8)}) and could not be made 0600: make it so (chmod 600), or remove it to generate a new one`);
      }
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
