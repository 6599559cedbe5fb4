/**
 * The seeded suites' FIELDSYNC_SEED and FIELDSYNC_RUNS (test-support/seed-env.ts): a value
 * that is not an integer in range must fail the suite, never run no case and pass.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runsFromEnv, seedFromEnv, seedsFromEnv } from '../../test-support/seed-env.ts';

const saved = { seed: process.env.FIELDSYNC_SEED, runs: process.env.FIELDSYNC_RUNS };
function setEnv(seed: string | undefined, runs: string | undefined): void {
  for (const [name, value] of [['FIELDSYNC_SEED', seed], ['FIELDSYNC_RUNS', runs]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}
afterEach(() => setEnv(saved.seed, saved.runs));

describe('seed-env', () => {
  it('falls back to the suite\'s own seed and count when the variables are unset or empty', () => {
    setEnv(undefined, '');
    expect(seedFromEnv(20261206)).toBe(20261206);
    expect(runsFromEnv(3)).toBe(3);
    expect(seedsFromEnv(7, 3)).toEqual([7, 8, 9]);
  });

  it('takes the variables when they are integers (a seed may be negative)', () => {
    setEnv('-5', '4');
    expect(seedFromEnv(1)).toBe(-5);
    expect(runsFromEnv(60)).toBe(4);
    expect(seedsFromEnv(1, 2)).toEqual([-5, -4, -3, -2]);
  });

  it.each(['ten', '0', '-1', '2.5', '1e3', '3x', '99999999999999999999'])('refuses FIELDSYNC_RUNS=%s, which used to run no case and pass', (runs) => {
    setEnv(undefined, runs);
    expect(() => runsFromEnv(30)).toThrow(/FIELDSYNC_RUNS=.*expected an integer of at least 1/);
    expect(() => seedsFromEnv(1, 2)).toThrow(RangeError);
  });

  it.each(['abc', '1.5', '0x10', '99999999999999999999'])('refuses FIELDSYNC_SEED=%s, which used to be NaN', (seed) => {
    setEnv(seed, undefined);
    expect(() => seedFromEnv(1)).toThrow(/FIELDSYNC_SEED=.*expected an integer/);
  });
});
