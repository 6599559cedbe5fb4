/**
 * docs/api.md is the one page that documents the public API, by example. These checks keep
 * it true: it names exactly what each entry point exports (the root's names each with an
 * example), its counts are the real ones, and every example typechecks against the library
 * as an app would import it (by package name, under the repository's compiler settings).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..', '..', '..');
const doc = readFileSync(join(repo, 'docs', 'api.md'), 'utf8');
const ENTRIES = {
  fieldsync: 'src/sync/index.ts',
  'fieldsync/server': 'src/sync/server/index.ts',
  'fieldsync/testing': 'src/sync/testing/index.ts',
  'fieldsync/sqlite': 'src/sqlite/index.ts',
  'fieldsync/node': 'src/node/index.ts',
} as const;
type Entry = keyof typeof ENTRIES;
/**
 * The root is for apps and store authors: what else there is belongs in a subpath. The opt-in
 * parts of the client (`pokeStream`, `gzipRequests`, `deviceNames`) are root names too, beside what they plug
 * into; an app that does not import them does not ship them (tree-shaking.test.ts). 36 since
 * StoreStalledError: the errors an app branches on are root names, beside the client. 38 since
 * round 58's typed schemas: `SchemaInput` and `RowFields`, types only, beside `Schema`. 39
 * since round 62's AnswerTooLargeError: a permanent failure an app tells from the passing ones.
 * 40 since round 68's `CellValue`: the type a store's `values()` answers, a type only.
 */
const ROOT_MAX_NAMES = 40;

/** The page's sections, one per entry point (`## \`fieldsync/server\``), as text. */
function sections(): Map<string, string> {
  const out = new Map<string, string>();
  const parts = doc.split(/^## `([^`]+)`\s*$/m);
  for (let i = 1; i < parts.length; i += 2) out.set(parts[i] as string, parts[i + 1] as string);
  return out;
}

/** Names a section documents: `#### \`name\`` headings, and first cells of table rows. */
function documented(section: string): string[] {
  const headings = [...section.matchAll(/^#### `([^`]+)`\s*$/gm)].map((m) => m[1] as string);
  const rows = [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1] as string);
  return [...headings, ...rows];
}

const codeBlocks = [...doc.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1] as string);

function compilerOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(join(repo, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, repo);
  // Examples show one thing each: names they declare and do not use are fine.
  return { ...parsed.options, noUnusedLocals: false, noUnusedParameters: false, noEmit: true };
}

/** A program over the entry points and the examples, as files of docs/ (so 'fieldsync' is this package). */
function program(): { program: ts.Program; examples: string[] } {
  const options = compilerOptions();
  const virtual = new Map<string, string>();
  // What the examples share: see the page's introduction.
  virtual.set(join(repo, 'docs', '__api-examples-env.d.ts'), [
    'declare const token: string;',
    "declare const schema: import('fieldsync').Schema;",
    "declare const client: import('fieldsync').SyncClient;",
  ].join('\n'));
  const examples = codeBlocks.map((code, i) => {
    const file = join(repo, 'docs', `__api-example-${i + 1}.ts`);
    virtual.set(file, code);
    return file;
  });
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, language, ...rest) => {
    const text = virtual.get(f);
    return text !== undefined ? ts.createSourceFile(f, text, language) : getSourceFile.call(host, f, language, ...rest);
  };
  const roots = [...virtual.keys(), ...Object.values(ENTRIES).map((f) => join(repo, f))];
  return { program: ts.createProgram(roots, options, host), examples };
}

const built = program();
const checker = built.program.getTypeChecker();

function exportsOf(entry: Entry): { values: string[]; types: string[] } {
  const source = built.program.getSourceFile(join(repo, ENTRIES[entry]));
  const symbol = source && checker.getSymbolAtLocation(source);
  if (!symbol) throw new Error(`no module symbol for ${entry}`);
  const values: string[] = [];
  const types: string[] = [];
  for (const e of checker.getExportsOfModule(symbol)) {
    const target = e.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(e) : e;
    (target.flags & ts.SymbolFlags.Value ? values : types).push(e.name);
  }
  return { values: values.sort(), types: types.sort() };
}

describe('docs/api.md', () => {
  it.each(Object.keys(ENTRIES) as Entry[])('names exactly what %s exports', (entry) => {
    const section = sections().get(entry);
    expect(section, `a "## \`${entry}\`" section`).toBeDefined();
    const names = documented(section as string);
    expect(new Set(names).size, 'each name once').toBe(names.length);
    const { values, types } = exportsOf(entry);
    expect(names.sort()).toEqual([...values, ...types].sort());
  });

  it('keeps the root small, and says how small', () => {
    const { values, types } = exportsOf('fieldsync');
    expect(values.length + types.length, 'root names: put the rest in a subpath').toBeLessThanOrEqual(ROOT_MAX_NAMES);
    expect(doc).toContain(`${values.length + types.length} names (${values.length} values, ${types.length} types)`);
  });

  it('shows every name of the root in an example', () => {
    const root = sections().get('fieldsync') as string;
    for (const part of root.split(/^(?=#### )/m).slice(1)) {
      const name = /^#### `([^`]+)`/.exec(part)?.[1] as string;
      const example = /```ts\n([\s\S]*?)```/.exec(part)?.[1] ?? '';
      expect(example, `an example under ${name}`).toMatch(new RegExp(`\\b${name}\\b`));
    }
  });

  it('has examples that typecheck, importing the library by its package name', () => {
    expect(built.examples.length).toBeGreaterThanOrEqual(35);
    const problems: string[] = [];
    for (const file of built.examples) {
      const source = built.program.getSourceFile(file);
      if (!source) throw new Error(`missing ${file}`);
      expect(source.text, file).toMatch(/from 'fieldsync(\/\w+)?'/);
      for (const d of [...built.program.getSyntacticDiagnostics(source), ...built.program.getSemanticDiagnostics(source)]) {
        const line = d.start === undefined ? 0 : source.getLineAndCharacterOfPosition(d.start).line + 1;
        problems.push(`example ${/(\d+)\.ts$/.exec(file)?.[1]}, line ${line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
