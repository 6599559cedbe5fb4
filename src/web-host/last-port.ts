/**
 * The port an instance listened on in its last run, kept in its profile, so that the next run
 * takes it again when it is free (web-host.ts, `preferredPort`). Why: a page left open from
 * the last run reconnects to the same address; when the new run answers there, its handshake
 * says at once that the session is gone ("This instance was restarted…"), where on a port
 * that answers nothing the page says "Reconnecting…" for 30 seconds first. Nothing else
 * depends on it: a missing, unreadable or odd file is no preference.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LAST_PORT_FILE = 'web-host.port';

/** The port of the last run in `profileDir`, or 0 (no preference). Ports under 1024 are never kept. */
export function readLastPort(profileDir: string): number {
  let text: string;
  try {
    text = readFileSync(join(profileDir, LAST_PORT_FILE), 'utf8');
  } catch {
    return 0;
  }
  const port = Number(text.trim());
  return /^\d{4,5}\s*$/.test(text) && port >= 1024 && port <= 65535 ? port : 0;
}

/**
 * Keeps `port` for the next run; a profile that cannot be written keeps nothing (the log says
 * why). Written to a new file of its own, then renamed over the old one: a link planted as
 * the port file (in a profile that was open to others once) is replaced, never written
 * through (round 59: the port overwrote the file it pointed to, any file as root), and a
 * crash leaves the old file or the new one, never half of one.
 */
export function saveLastPort(profileDir: string, port: number, log: (message: string) => void): void {
  const temp = join(profileDir, `${LAST_PORT_FILE}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, `${port}\n`, { mode: 0o600, flag: 'wx' }); // `wx`: O_EXCL, never through a link
    renameSync(temp, join(profileDir, LAST_PORT_FILE));
  } catch (err) {
    rmSync(temp, { force: true });
    log(`could not keep the port for the next run: ${(err as Error).message}`);
  }
}
