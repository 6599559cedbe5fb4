/**
 * docs/fork.md, "Replace the todos": a fork that follows it deletes or adapts every test that
 * runs the app's own todo tables, and keeps the rest. A test added over those tables (a core
 * opened with the app schema, the renderer's store or UI over the real core) and left off the
 * guide's list breaks such a fork's `npm run typecheck` and `vitest run`: "Unknown table: lists".
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/**
 * These check the reference app's guide against the reference app's todo app and files. A
 * fork that followed "Replace the todos" deleted them (round 67: a scratch fork's `vitest run`
 * failed here, on the very files the guide had it delete): there it skips, and says why.
 */
const REPLACED = existsSync(join(root, 'src', 'renderer', 'src', 'views', 'todos'))
  ? null
  : 'a fork that replaced the todos (docs/fork.md): this checks the reference app\'s guide against the todo app it deleted';

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

/** The guide's "Replace the todos" item. */
function replaceItem(): string {
  const guide = readFileSync(join(root, 'docs', 'fork.md'), 'utf8');
  return guide.slice(guide.indexOf('**Replace the todos**'), guide.indexOf('**Change a schema that has shipped**'));
}

/** The backquoted names in `text` (the guide's "Replace the todos" item by default), as patterns over paths. */
function listed(item = replaceItem()): RegExp[] {
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

describe.skipIf(REPLACED !== null)(`docs/fork.md, replacing the todos${REPLACED === null ? '' : ` (skipped: ${REPLACED})`}`, () => {
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

/**
 * The parts of the item that name what a fork keeps (round 66): the shell's tests among
 * `components/*.test.tsx`, the tests of the generic parts, and the notes example's spec. Their anchors must be there:
 * without them every name would read as one to replace.
 */
const KEPT_SPANS: readonly (readonly [string, string])[] = [
  ['but those that test the shell', '`store/data-store.test.ts`'],
  ['The tests of the generic parts stay as they are', 'Then `npm run typecheck`'],
  // Not replaced: it skips itself in a renamed fork, and goes only with the notes example.
  ['`e2e/browser/fork-notes.spec.ts` skips itself', 'nothing else uses them'],
];

function keptAndReplaced(): { kept: string; replaced: string } {
  let replaced = replaceItem();
  let kept = '';
  for (const [from, to] of KEPT_SPANS) {
    const start = replaced.indexOf(from);
    const end = start === -1 ? -1 : replaced.indexOf(to, start);
    if (end === -1) throw new Error(`docs/fork.md, "Replace the todos": no "${from}" … "${to}" (the names a fork keeps)`);
    kept += replaced.slice(start, end);
    replaced = replaced.slice(0, start) + replaced.slice(end);
  }
  return { kept, replaced };
}

/**
 * Uses something only the todo app has: its tables by name, its view's words, test ids and
 * helpers, its test data (todo-fixtures.ts, the store fixture, the profiles an older todo app
 * wrote), or a scenario that does. A test that uses none of them runs the same in a fork.
 */
function usesTheTodoApp(file: string): boolean {
  const text = readFileSync(join(root, file), 'utf8');
  return /views\/todos\/|todo-fixtures|store-fixture|upgrade-fixtures|['"]New (list|todo)['"]/.test(text) || drivesTheTodoView(file);
}

describe.skipIf(REPLACED !== null)('docs/fork.md, what a fork keeps (round 66)', () => {
  it('lists as replaced only tests that use the todo app: one that survives a fork is among those kept', () => {
    const { kept, replaced } = keptAndReplaced();
    const keep = listed(kept);
    const replace = listed(replaced);
    const tests = [...files('src'), ...files('e2e')].filter((f) => /\.(test|spec)\.tsx?$/.test(f) || (f.startsWith('e2e/scenarios/') && f !== 'e2e/scenarios/types.ts'));
    const listedToReplace = tests.filter((f) => replace.some((p) => p.test(f)) && !keep.some((p) => p.test(f)));
    expect(listedToReplace.length).toBeGreaterThan(20); // the list was read: the todo app's tests are many
    expect(listedToReplace.filter((f) => !usesTheTodoApp(f))).toEqual([]);
  });
});

/** Every repository file the guide names in backquotes (`components/RowNav.tsx`, `e2e/browser/{a,b}.spec.ts`), as written. */
function namedFiles(guide: string): string[] {
  return [...new Set([...guide.matchAll(/`([^`\s]+\.(?:tsx?|md|sql|patch|css|yml))`/g)].flatMap(([, name]) => braces(name as string)))];
}

describe.skipIf(REPLACED !== null)('docs/fork.md, the files it names (round 67)', () => {
  // Read in the tests, not here: a skipped describe's body still runs, and a fork may have deleted these.
  const guide = () => readFileSync(join(root, 'docs', 'fork.md'), 'utf8');
  // Every file of the folders a forker works in, whatever its kind (a stylesheet, a dump, a patch).
  const under = (dir: string) => readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }).map((f) => `${dir}/${f.split('\\').join('/')}`);
  const repo = () => [...['src', 'e2e', 'scripts', 'test-support', 'server', 'docs'].flatMap(under), 'package.json', 'electron-builder.yml', 'electron.vite.config.ts'];
  // The notes example's files are the ones the guide has a forker write: the patch holds them.
  const written = () => [...readFileSync(join(root, 'docs', 'examples', 'notes.patch'), 'utf8').matchAll(/^\+\+\+ b\/(\S+)$/gm)].map(([, f]) => f as string);

  it('names only files that exist (or that the notes example writes): a forker who follows it finds each one', () => {
    const names = namedFiles(guide());
    const paths = [...repo(), ...written()];
    const exists = (name: string) => {
      const pattern = new RegExp(`(^|/)${name.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
      return paths.some((f) => pattern.test(f));
    };
    expect(names.length).toBeGreaterThan(50); // the guide was read
    expect(names.filter((n) => !exists(n))).toEqual([]);
  });

  it('keeps, in a fork that replaces the todos, only tests that use nothing of the todo app (a kept one that does fails there)', () => {
    const { kept } = keptAndReplaced();
    const keep = listed(kept);
    const tests = [...files('src'), ...files('e2e')].filter((f) => /\.(test|spec)\.tsx?$/.test(f));
    const keptTests = tests.filter((f) => keep.some((p) => p.test(f)));
    expect(keptTests).toContain('src/renderer/src/components/row-nav-required.test.tsx');
    // Round 68: the measures any fork wants, kept as they are (their set-up is the schema's, support/first-rows.ts).
    expect(keptTests).toEqual(expect.arrayContaining(['src/renderer/src/components/row-nav-required-kinds.test.tsx', 'e2e/browser/target-sizes.spec.ts', 'e2e/browser/reflow.spec.ts']));
    expect(keptTests.filter((f) => usesTheTodoApp(f) || runsTheTodoTables(readFileSync(join(root, f), 'utf8')))).toEqual([]);
  });

  it('says what RowNav\'s "New …" form writes as the component does: every required column, never the title alone', () => {
    const rowNav = readFileSync(join(root, 'src', 'renderer', 'src', 'components', 'RowNav.tsx'), 'utf8');
    // The form is given the table's other required columns; the guide says so, and names the test.
    expect(rowNav).toMatch(/<NewItemForm[^>]*\bmore=\{more\}/);
    expect(guide()).toContain('Its "New …" form asks for every required `text()` column');
    expect(guide()).not.toMatch(/"New …" input writes the title column alone/);
  });

  it('says that the form asks for required numbers and flags (round 68), as RowNav does', () => {
    const rowNav = readFileSync(join(root, 'src', 'renderer', 'src', 'components', 'RowNav.tsx'), 'utf8');
    expect(rowNav).toMatch(/kind: 'number'/);
    expect(rowNav).toMatch(/kind: 'flag'/);
    expect(guide()).toContain('it asks for a required number too');
    expect(guide()).toContain('for each `flag()` a checkbox');
    expect(guide()).not.toContain('Optional\n  text, flags and');
  });
});
