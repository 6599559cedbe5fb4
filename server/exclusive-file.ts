/**
 * Creates a file with its content in one step, or finds it there: for files that several
 * processes starting at once may each try to create (the token secret; the data dir's lock was
 * one, until it became an OS lock: data-dir-lock.ts).
 *
 * `writeFileSync(file, text, { flag: 'wx' })` is not enough: it creates the file, then writes
 * it, and a process that finds the file in between reads it empty. It took an empty secret for
 * a broken one and refused to start (and, when the lock was such a file, an empty lock for a
 * stale one, which it deleted: two servers then ran on one database). So the content goes into a file of this process's own
 * first, which is then hard-linked to the name: `link` fails with EEXIST when the name is
 * taken, and otherwise makes it appear whole. Where the file system has no hard links (FAT,
 * some network shares), it falls back to `wx`.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, unlinkSync, writeFileSync } from 'node:fs';

/** Errors of a file system that cannot hard-link. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP', 'EXDEV']);

/** True when this call created `file` with `text` in it; false when it was there already. */
export function createExclusive(file: string, text: string, mode: number): boolean {
  const temp = `${file}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temp, text, { flag: 'wx', mode });
  try {
    linkSync(temp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return false;
    if (!NO_LINKS.has(code)) throw err;
    try {
      writeFileSync(file, text, { flag: 'wx', mode });
      return true;
    } catch (fallback) {
      if ((fallback as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fallback;
    }
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // Gone already: nothing to tidy.
    }
  }
}
