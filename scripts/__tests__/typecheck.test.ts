/**
 * `npm run typecheck` checks every project, and goes on after one fails, so that one run
 * lists every error (after a rename in the app schema, the renderer's calls too: docs/fork.md).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TYPECHECK_PROJECTS, typecheckProjects } from '../lib/typecheck-projects.ts';

const root = join(import.meta.dirname, '..', '..');

describe('npm run typecheck', () => {
  it('checks every project after one failed, and names those that failed', () => {
    const checked: string[] = [];
    const failed = typecheckProjects(['a.json', 'b.json', 'c.json'], (p) => (checked.push(p), p === 'b.json' || p === 'a.json' ? false : true));
    expect(checked).toEqual(['a.json', 'b.json', 'c.json']);
    expect(failed).toEqual(['a.json', 'b.json']);
  });

  it('covers every tsconfig of the repository but the shared base and the library build', () => {
    const all = readdirSync(root).filter((f) => /^tsconfig(\..+)?\.json$/.test(f));
    expect([...TYPECHECK_PROJECTS].sort()).toEqual(all.filter((f) => f !== 'tsconfig.base.json' && f !== 'tsconfig.lib.json').sort());
  });
});
