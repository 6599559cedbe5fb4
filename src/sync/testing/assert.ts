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

export function checkEqual(actual: unknown, expected: unknown, message: string): void {
  const a = canonical(actual);
  const e = canonical(expected);
  if (a !== e) throw new ConformanceError(`${message}\n  expected: ${e.slice(0, 500)}\n  actual:   ${a.slice(0, 500)}`);
}

export async function checkRejects(fn: () => unknown, message: string): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new ConformanceError(`${message}: expected an error, but it succeeded`);
}
