/**
 * docs/fork.md, "Replace the todos": a fork that follows it deletes or adapts every test that
 * runs the app's own todo tables, and keeps the rest. A test added over those tables (a core
 * opened with the app schema, the renderer's store or UI over the real core) and left off the
 * guide's list breaks such a fork's `npm run typecheck` and `vitest run`: "Unknown table: lists".
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function files(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => relative(root, join(e.parentPath, e.name)).split('\\').join('/'));
}

/** Names the todo app's tables, over the app schema: a default core, or the renderer's helpers over the real core. */
function runsTheTodoTables(text: string): boolean {
  const namesThem = /['"](lists|todos)['"]/.test(text) && !text.includes('lists-schema.ts') && !text.includes('defineAppSchema(');
  const appSchemaCore = /cores\.open\((?![^)]*schema)/.test(text) || /from '[./]*(testing\/)?(core-api|render-app|store-fixture)\.tsx?'/.test(text);
  return namesThem && appSchemaCore;
}

/** The backquoted names in the guide's "Replace the todos" item, as patterns over paths. */
function listed(): RegExp[] {
  const guide = readFileSync(join(root, 'docs', 'fork.md'), 'utf8');
  const item = guide.slice(guide.indexOf('**Replace the todos**'), guide.indexOf('**Change a schema that has shipped**'));
  // Not a bare pattern such as `*.test.ts`, which says what the names before it are.
  return [...item.matchAll(/`([^`\s*][^`\s]*)`/g)].flatMap(([, name]) =>
    [name as string, `${name}.test.ts`].map((n) => new RegExp(`(^|/)${n.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`)),
  );
}

describe('docs/fork.md, replacing the todos', () => {
  it('lists every test, and test helper, that runs the todo tables', () => {
    const patterns = listed();
    const candidates = files('src').filter((f) => !f.startsWith('src/renderer/src/views/todos/') && (/\.test\.tsx?$/.test(f) || f.includes('/testing/')));
    const unlisted = candidates.filter((f) => runsTheTodoTables(readFileSync(join(root, f), 'utf8')) && !patterns.some((p) => p.test(f)));
    expect(unlisted).toEqual([]);
  });
});
