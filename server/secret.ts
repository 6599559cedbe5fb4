/**
 * The token signing secret. Given by the operator (FIELDSYNC_SECRET), or generated once and
 * kept in the data dir in a file only the server's user can read (mode 0600). It is never
 * printed or logged.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from 'fieldsync/sqlite';
import { ConfigError, MIN_SECRET_LENGTH } from './config.ts';
import { createExclusive } from './exclusive-file.ts';
import { secretWeakness } from './secret-strength.ts';

export const SECRET_FILE = 'token-secret';

/**
 * The secret: the given one, or the one in `dataDir` (created when missing; `onCreated` is
 * told the file then, for a caller that should say so).
 */
export function loadSecret(dataDir: string, given: string | undefined, onCreated?: (file: string) => void): string {
  if (given !== undefined) return given;
  ensurePrivateDir(dataDir);
  const file = join(dataDir, SECRET_FILE);
  // Never overwritten, and made whole at once: two processes starting at once both end up
  // reading one secret (one read it empty, and told the user to remove it).
  if (createExclusive(file, `${randomBytes(32).toString('base64url')}\n`, 0o600)) onCreated?.(file);
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`the secret file ${file} is shorter than ${MIN_SECRET_LENGTH} characters; remove it to generate a new one`);
  }
  const weakness = secretWeakness(secret);
  if (weakness !== null) throw new ConfigError(`the secret in ${file} ${weakness.replace(/, or leave it unset.*$/, '')}; or remove the file to generate a new one`);
  try {
    chmodSync(file, 0o600); // in case it was copied in with looser permissions
  } catch {
    // Not ours to change (a read-only mount, say): reading it is enough.
  }
  return secret;
}
