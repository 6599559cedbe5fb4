import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const ENTRY_POINTS = "'fieldsync', 'fieldsync/server', 'fieldsync/testing', 'fieldsync/sqlite' or 'fieldsync/node'";
/** `no-restricted-imports` patterns for code outside the library (src/sync, src/sqlite, src/node). */
const ENTRY_POINTS_ONLY = [
  { regex: '^\\.{1,2}/(?:.*/)?(?:sync|sqlite|node)(?:/|$)', message: `Import the library through its entry points: ${ENTRY_POINTS}.` },
  { regex: '^fieldsync/(?!(?:server|testing|sqlite|node)$)', message: `The library's entry points are ${ENTRY_POINTS}; nothing deeper.` },
  { regex: '(?:^|/)__tests__/', message: "Another folder's __tests__ is not a library: shared test helpers live in test-support/." },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'dist-lib/', 'coverage/', 'test-results/', 'playwright-report/', 'reports/', '.data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'Use union types: enums are not erasable syntax.' }],
    },
  },
  {
    // Everything outside the library (src/sync, src/sqlite and src/node) reaches it only
    // through its entry points, as an app that installed it would: 'fieldsync',
    // 'fieldsync/server', 'fieldsync/testing', 'fieldsync/sqlite', 'fieldsync/node'
    // (package.json's exports map). Test helpers that several folders share live in
    // test-support/, not in another folder's __tests__.
    files: ['**/*.{ts,tsx,js,mjs}'],
    ignores: ['src/sync/**', 'src/sqlite/**', 'src/node/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ENTRY_POINTS_ONLY }],
    },
  },
  {
    // The app, the server and the scripts never depend on test helpers.
    files: ['server/**/*.ts', 'src/**/*.{ts,tsx}', 'scripts/**/*.ts'],
    ignores: ['src/sync/**', 'src/sqlite/**', 'src/node/*.ts', '**/__tests__/**', '**/*.test.{ts,tsx}', 'src/renderer/src/testing/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [...ENTRY_POINTS_ONLY, { regex: '(?:^|/)test-support/', message: 'test-support/ is for tests and benchmarks, never for the app, the server or the scripts.' }],
      }],
    },
  },
  {
    // The SQLite store is library code too: better-sqlite3, node: modules, the core and itself.
    files: ['src/sqlite/**/*.ts'],
    ignores: ['src/sqlite/**/*.test.ts', 'src/sqlite/__tests__/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^(?!\\.{1,2}/|node:|better-sqlite3$)', message: 'src/sqlite imports only better-sqlite3, node: modules, src/sync and itself.' },
          { regex: '^\\.\\./(?!sync/)', message: 'src/sqlite imports only better-sqlite3, node: modules, src/sync and itself (never app code).' },
        ],
      }],
    },
  },
  {
    // The Node transport (`fieldsync/node`) is library code for Node alone: node: modules and
    // itself, nothing else (not even the core: it is a plain fetch).
    files: ['src/node/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^(?!\\./|node:)', message: 'src/node imports only node: modules and itself.' }],
      }],
    },
  },
  {
    // Plain CommonJS that must run on any Node (the Node preflight, scripts/check-node.cjs).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The sync core runs in every JavaScript runtime: no Node, DOM or Electron imports.
    files: ['src/sync/**/*.ts'],
    ignores: ['src/sync/**/*.test.ts', 'src/sync/__tests__/**'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\.{1,2}/)', message: 'src/sync imports only from inside src/sync.' }] }],
    },
  },
  {
    // The renderer runs in a browser (Electron's renderer or the browser host), never in Node.
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: reactHooks.configs.flat.recommended.plugins,
    languageOptions: { globals: { ...globals.browser } },
    // A missed effect dependency is a stale-data bug in a sync UI: fail the lint, don't warn.
    rules: { ...reactHooks.configs.flat.recommended.rules, 'react-hooks/exhaustive-deps': 'error' },
  },
);
