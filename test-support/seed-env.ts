/**
 * FIELDSYNC_SEED and FIELDSYNC_RUNS (docs/testing.md), read here for every seeded suite.
 *
 * Why not `Number(process.env.FIELDSYNC_RUNS)`: a mistyped value (`FIELDSYNC_RUNS=ten`, `=0`)
 * read as NaN or 0, a seed loop of NaN runs ran no seed, fast-check's `numRuns: NaN` ran no
 * case, and the suite passed having checked nothing. A value that is not an integer in range
 * now fails the suite at once, naming the variable.
 */

function integerFromEnv(name: string, fallback: number, min: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = /^\s*-?\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name}=${JSON.stringify(text)}: expected an integer${min > Number.MIN_SAFE_INTEGER ? ` of at least ${min}` : ''}`);
  }
  return value;
}

/** The seed to run: FIELDSYNC_SEED, or `fallback`. Any integer (fast-check takes negative ones too). */
export function seedFromEnv(fallback: number): number {
  return integerFromEnv('FIELDSYNC_SEED', fallback, Number.MIN_SAFE_INTEGER);
}

/** How many runs (seeds, or fast-check cases): FIELDSYNC_RUNS, or `fallback`. At least 1. */
export function runsFromEnv(fallback: number): number {
  return integerFromEnv('FIELDSYNC_RUNS', fallback, 1);
}

/** The seeds a seeded loop runs: `runsFromEnv(runs)` of them, from `seedFromEnv(firstSeed)` on. */
export function seedsFromEnv(firstSeed: number, runs: number): number[] {
  const first = seedFromEnv(firstSeed);
  return Array.from({ length: runsFromEnv(runs) }, (_, i) => first + i);
}
