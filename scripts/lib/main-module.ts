/**
 * Whether the module at `filename` (its `import.meta.filename`) is the one `node` was asked to
 * run. Comparing `process.argv[1]` with it as strings said no, and the script did nothing,
 * when the path it was run by is not the real one: Node resolves the main module through
 * symlinks (macOS's /tmp and /var are links into /private), and on Windows a drive letter or
 * folder typed in another case, a junction or a `subst` drive name the same file. So both
 * paths are resolved by the system first.
 */
import { realpathSync } from 'node:fs';

export function isMainModule(filename: string, argv1: string | undefined = process.argv[1], realpath: (path: string) => string = realpathSync.native): boolean {
  if (argv1 === undefined) return false;
  try {
    return realpath(argv1) === realpath(filename);
  } catch {
    return false;
  }
}
