/**
 * The core must run unchanged in Node, Electron, browsers and React Native: no dependencies,
 * no imports from outside src/sync, no Node-only or DOM-only APIs.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NEWER_BUILTINS_ADVICE, newerBuiltins } from './harness/newer-builtins.ts';

const root = resolve(import.meta.dirname, '..');
const repo = resolve(root, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === '__tests__' ? [] : sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const files = sources(root);
/** The code without comments (doc comments show imports of the package itself). */
const codeOf = (file: string): string => readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
/** The code with every string literal emptied: what a message or a URL says is no call. */
const withoutStrings = (code: string): string => code.replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''");
// Matches static imports and re-exports, dynamic imports and require calls.
const SPECIFIER = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]|require\s*\(\s*['"]([^'"]+)['"]/gm;
const FORBIDDEN = /\b(process|Buffer|require|__dirname|__filename|window|document|localStorage|sessionStorage|navigator|XMLHttpRequest|EventSource|setImmediate|structuredClone)\b/;

describe('the sync core is runtime-neutral', () => {
  it('has source files to check', () => {
    expect(files.length).toBeGreaterThan(15);
  });

  it.each(files.map((f) => [relative(root, f), f]))('%s imports only from inside src/sync', (_name, file) => {
    for (const m of codeOf(file).matchAll(SPECIFIER)) {
      const spec = (m[1] ?? m[2] ?? m[3]) as string;
      expect(spec, `${file}: ${spec}`).toMatch(/^\.{1,2}\//);
      expect(resolve(dirname(file), spec).startsWith(root), `${file}: ${spec} leaves src/sync`).toBe(true);
    }
  });

  it.each(files.map((f) => [relative(root, f), f]))('%s uses no Node-only or DOM-only globals', (_name, file) => {
    const code = withoutStrings(codeOf(file));
    // One exception: a runtime's Web Locks, feature-detected off globalThis with optional
    // chaining (`runtime.navigator?.locks`, typed `navigator?: …`): absent, nothing breaks
    // (client-lock.ts). A bare `navigator` is still refused.
    const checked = code.replace(/\.navigator\?\.|\bnavigator\?:/g, '');
    expect(checked).not.toMatch(FORBIDDEN);
  });

  it.each(files.map((f) => [relative(root, f), f]))('%s uses no builtin newer than its engines have', (_name, file) => {
    const found = newerBuiltins(readFileSync(file, 'utf8'));
    expect(found, `${relative(repo, file)} uses ${found.join(', ')}: ${NEWER_BUILTINS_ADVICE}`).toEqual([]);
  });

  it.each(files.map((f) => [relative(root, f), f]))('%s has no `declare` class fields (React Native\'s Babel preset refuses them)', (_name, file) => {
    // Metro runs the preset's Flow plugin on .ts files too: "The 'declare' modifier is only
    // allowed when the 'allowDeclareFields' option ... is enabled", and the app does not build.
    // A plain field set in the constructor does the same (errors.ts says how for a subclass).
    const declared = codeOf(file).match(/^[ \t]+(?:(?:public|protected|private|static|override|readonly)[ \t]+)*declare[ \t]+[^\n]*/m);
    expect(declared?.[0].trim() ?? null, `${relative(repo, file)}: a declare field breaks React Native builds from source`).toBeNull();
  });

  it('typechecks with only the ECMAScript library and standard web globals (no DOM, no Node types)', () => {
    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() => execFileSync(process.execPath, [tsc, '-p', join(repo, 'tsconfig.sync.json')], { cwd: repo, stdio: 'pipe' })).not.toThrow();
  }, 60_000);

  it('declares no runtime dependencies of its own', () => {
    const text = files.map(codeOf).join('\n');
    expect(text).not.toMatch(/from\s+['"](?!\.)/);
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { exports: Record<string, string> };
    // Every entry point but the SQLite store's (src/sqlite, which needs better-sqlite3) and the
    // Node transport's (src/node, Node's own modules) is the core's.
    const core = Object.entries(pkg.exports).filter(([subpath]) => subpath !== './sqlite' && subpath !== './node');
    expect(core.every(([, p]) => p.startsWith('./src/sync/'))).toBe(true);
  });

  it('says in its own package.json that it is ESM, free of side effects on import, and dependency-free', () => {
    // Bundlers read the nearest package.json: with `sideEffects: false` they drop every
    // module of the core that an app does not use (tree-shaking.test.ts checks the result).
    const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(own).toEqual({ type: 'module', sideEffects: false });
  });
});
