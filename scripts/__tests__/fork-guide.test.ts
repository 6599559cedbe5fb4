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
  const appSchemaCore =
    /cores\.open\((?![^)]*schema)/.test(text) ||
    /from '[./]*(testing\/)?(core-api|render-app|store-fixture)\.tsx?'/.test(text) ||
    // The typed API client (round 64): its calls take only the app schema's tables, so a
    // fork's typecheck refuses one naming `lists` even over a fake transport.
    /createApiClient\(/.test(text);
  return namesThem && appSchemaCore;
}

/** `a/{b,c}.ts` as `a/b.ts` and `a/c.ts`, as the guide writes several specs of one folder. */
function braces(name: string): string[] {
  const m = /\{([^{}]*)\}/.exec(name);
  if (!m) return [name];
  return (m[1] as string).split(',').flatMap((alt) => braces(name.slice(0, m.index) + alt + name.slice(m.index + m[0].length)));
}

/** The backquoted names in the guide's "Replace the todos" item, as patterns over paths. */
function listed(): RegExp[] {
  const guide = readFileSync(join(root, 'docs', 'fork.md'), 'utf8');
  const item = guide.slice(guide.indexOf('**Replace the todos**'), guide.indexOf('**Change a schema that has shipped**'));
  // Not a bare pattern such as `*.test.ts`, which says what the names before it are.
  return [...item.matchAll(/`([^`\s*][^`\s]*)`/g)].flatMap(([, name]) =>
    braces(name as string).flatMap((one) =>
      [one, `${one}.test.ts`].map((n) => new RegExp(`(^|/)${n.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`)),
    ),
  );
}

/**
 * Drives the todo view or calls the todo tables (the UI helpers of e2e/support/app-ui.ts for
 * lists and todos, their test ids and inputs, the tables by name), itself or through a
 * scenario it runs: such a spec fails in a fork without them, "New list" never appears.
 */
function drivesTheTodoView(file: string, seen = new Set<string>()): boolean {
  if (seen.has(file)) return false;
  seen.add(file);
  const text = readFileSync(join(root, file), 'utf8');
  if (/addTodo|addList|openList|\.todo\(|\.list\(|todoList|['"](lists|todos)['"]|todo-(checkbox|item|title|list|summary)|new-todo|'New (todo|list)'/.test(text)) return true;
  return [...text.matchAll(/from '\.\.\/scenarios\/([\w-]+)\.ts'/g)].some(([, name]) => drivesTheTodoView(`e2e/scenarios/${name}.ts`, seen));
}

describe('docs/fork.md, replacing the todos', () => {
  it('lists every test, and test helper, that runs the todo tables', () => {
    const patterns = listed();
    const candidates = files('src').filter((f) => !f.startsWith('src/renderer/src/views/todos/') && (/\.test\.tsx?$/.test(f) || f.includes('/testing/')));
    const unlisted = candidates.filter((f) => runsTheTodoTables(readFileSync(join(root, f), 'utf8')) && !patterns.some((p) => p.test(f)));
    expect(unlisted).toEqual([]);
  });

  it('lists every end-to-end spec, scenario and measuring script that drives the todo view (round 64)', () => {
    const patterns = listed();
    const candidates = files('e2e').filter((f) => !f.startsWith('e2e/support/') && f !== 'e2e/scenarios/types.ts');
    const unlisted = candidates.filter((f) => drivesTheTodoView(f) && !patterns.some((p) => p.test(f)));
    expect(unlisted).toEqual([]);
  });
});
