/**
 * The TypeScript projects `npm run typecheck` checks, and how: every one of them, even after
 * one failed, so that a single run lists every error. Stopping at the first failing project
 * (as a chain of `tsc -p … && tsc -p …` does) hides the rest: after a table or column is
 * renamed in app-schema.ts, the tests' project fails first and the renderer's errors, the
 * calls a fork must fix, never show (docs/fork.md, "Renaming a table, or a column").
 */

/** Each with its own compiler options; tsconfig.base.json is what they extend, tsconfig.lib.json is pack-lib's. */
export const TYPECHECK_PROJECTS = [
  'tsconfig.json',
  'tsconfig.sync.json',
  'tsconfig.web.json',
  'tsconfig.web-tests.json',
  'tsconfig.electron.json',
  'tsconfig.e2e.json',
] as const;

/** Checks every project with `check` (true: no error); returns those that failed, in order. */
export function typecheckProjects(projects: readonly string[], check: (project: string) => boolean): string[] {
  const failed: string[] = [];
  for (const project of projects) if (!check(project)) failed.push(project);
  return failed;
}
