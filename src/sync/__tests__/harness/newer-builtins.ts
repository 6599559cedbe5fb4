/**
 * Builtins newer than the engines the core runs on have (Hermes before React Native 0.71 has no
 * `.at`; ES2023 and later ones are missing from engines of a few years ago, and React Native has
 * no `structuredClone`), and that no bundler adds: a call to one is "undefined is not a function"
 * at run time, on that engine only. Each is a line of index arithmetic, a loop or a JSON copy
 * away. `Object.hasOwn` and `Error` `cause` are allowed: Hermes 0.12, QuickJS and quickjs-ng
 * have them (checked on each).
 */
const NEWER_BUILTINS = /\.(?:at|findLast|findLastIndex|toSorted|toReversed|toSpliced|with|union|intersection|difference|symmetricDifference|isSubsetOf|isSupersetOf|isDisjointFrom)\(|\b(?:Promise\.(?:withResolvers|try)|(?:Object|Map)\.groupBy|Array\.fromAsync|Iterator\.from|RegExp\.escape|Error\.isError|structuredClone)\b/g;

/** The code without comments and with every string literal emptied: what a comment or a message says is no call. */
export const codeOnly = (text: string): string => text
  .replace(/\/\*[\s\S]*?\*\//g, '')
  .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''")
  .replace(/\/\/.*$/gm, '');

/** The newer builtins `code` calls (comments and strings left out), each once. */
export const newerBuiltins = (code: string): string[] => [...new Set([...codeOnly(code).matchAll(NEWER_BUILTINS)].map((m) => m[0]))];

export const NEWER_BUILTINS_ADVICE = 'missing on older engines (Hermes before React Native 0.71 has no .at, React Native no structuredClone; ES2023+ builtins are newer still). Use index arithmetic (a[a.length - 1]), a loop, or a JSON round trip for a copy';
