/** Tiny dependency-free assertions for the conformance suites, so they run under any test runner. */
export class ConformanceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceError';
  }
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ConformanceError(message);
}

/**
 * JSON with sorted keys, so that equal values compare equal whatever their key order. A value
 * JSON has no text for (`undefined`) is `'undefined'`: JSON.stringify gives undefined there,
 * and a failing case's report of it threw a TypeError of its own (round 56).
 */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  ) ?? String(v);
}

/**
 * `actual` with each string that differs from what `expected` holds at its place replaced by
 * what it parses to as JSON, and whether any was: so that a store that answers a value's JSON
 * text (a column that keeps JSON, handed back unparsed) is told so. Round 60: it failed with
 * two lists that differ in quotes only; the client cannot tell the text '"x"' from a string.
 */
function parsedTexts(actual: unknown, expected: unknown): [unknown, boolean] {
  if (typeof actual === 'string' && actual !== expected) {
    try {
      return [JSON.parse(actual), true];
    } catch {
      return [actual, false];
    }
  }
  if (typeof actual !== 'object' || actual === null || typeof expected !== 'object' || expected === null) return [actual, false];
  let any = false;
  const out = (Array.isArray(actual) ? [] : {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(actual)) {
    const [parsed, was] = parsedTexts(v, (expected as Record<string, unknown>)[k]);
    out[k] = parsed;
    any ||= was;
  }
  return [out, any];
}

export function checkEqual(actual: unknown, expected: unknown, message: string): void {
  const a = canonical(actual);
  const e = canonical(expected);
  if (a === e) return;
  const [parsed, any] = parsedTexts(actual, expected);
  const hint = any && canonical(parsed) === e ? '\n  (each value differing is the JSON text of the one expected: JSON.parse a column that keeps JSON as it is read)' : '';
  throw new ConformanceError(`${message}\n  expected: ${e.slice(0, 500)}\n  actual:   ${a.slice(0, 500)}${hint}`);
}

export async function checkRejects(fn: () => unknown, message: string): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new ConformanceError(`${message}: expected an error, but it succeeded`);
}
