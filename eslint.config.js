import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'coverage/', 'test-results/', 'playwright-report/', 'reports/', '.data/'] },
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
