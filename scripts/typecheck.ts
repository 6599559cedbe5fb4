/**
 * `npm run typecheck`: `tsc -p` over every project of TYPECHECK_PROJECTS, all of them even when
 * one fails (lib/typecheck-projects.ts says why), then one line naming those that failed.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { TYPECHECK_PROJECTS, typecheckProjects } from './lib/typecheck-projects.ts';

const root = join(import.meta.dirname, '..');
// tsc by its JavaScript entry, run with this Node: node_modules/.bin holds a shell script on
// POSIX and a .cmd file on Windows.
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

const failed = typecheckProjects(TYPECHECK_PROJECTS, (project) => spawnSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' }).status === 0);
if (failed.length > 0) {
  console.error(`typecheck: errors in ${failed.length} of ${TYPECHECK_PROJECTS.length} projects: ${failed.join(', ')}`);
  process.exitCode = 1;
}
