/**
 * What `npm test` counts from Vitest's JSON report (scripts/lib/vitest-counts.ts). The crashed
 * case is the report Vitest wrote for a file whose worker was killed with SIGTRAP while its
 * first test ran (reproduced with `process.kill(process.pid, 'SIGTRAP')` in a test): the file's
 * tests were in none of its totals. Vitest 4 exited with 0 and `npm test` passed the run;
 * Vitest 5.1 exits with 1, and `npm test`'s second run of the file could never pass it (CI,
 * 2026-12-03, http-edges.test.ts), so its unhandled errors are read too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diedWorkerFiles, onlyDiedWorkers, vitestCounts, type UnhandledError, type VitestReport } from '../lib/vitest-counts.ts';

const passing = { name: '/repo/a.test.ts', status: 'passed', assertionResults: [{ status: 'passed' }, { status: 'passed' }, { status: 'pending' }] };

describe('npm test counts of Vitest', () => {
  it('counts a file whose worker died as a failure', () => {
    const crashed: VitestReport = {
      success: false, numPassedTests: 2, numFailedTests: 0, numPendingTests: 1, numTodoTests: 0,
      testResults: [passing, { name: '/repo/crash.test.ts', status: 'failed', assertionResults: [{ status: 'pending' }, { status: 'pending' }] }],
    };
    expect(vitestCounts(crashed)).toEqual({ passed: 2, failed: 1, skipped: 1, brokenFiles: ['/repo/crash.test.ts'], brokenPassed: 0 });
    // Had a test of it passed before the crash, the second run's count replaces it.
    const oneDone = { ...crashed, numPassedTests: 3, testResults: [passing, { name: '/repo/crash.test.ts', status: 'failed', assertionResults: [{ status: 'passed' }, { status: 'pending' }] }] };
    expect(vitestCounts(oneDone)).toMatchObject({ passed: 3, failed: 1, brokenPassed: 1 });
  });

  it('counts a file that did not load as a failure', () => {
    const broken: VitestReport = { success: false, numPassedTests: 2, numFailedTests: 0, numPendingTests: 1, numTodoTests: 0, testResults: [passing, { name: '/repo/b.test.ts', status: 'failed', assertionResults: [] }] };
    expect(vitestCounts(broken)).toMatchObject({ failed: 1, skipped: 1, brokenFiles: ['/repo/b.test.ts'] });
  });

  it('counts failed tests once each, and a run that says it failed for no reason above as one failure', () => {
    const failing: VitestReport = {
      success: false, numPassedTests: 1, numFailedTests: 2, numPendingTests: 0, numTodoTests: 0,
      testResults: [{ status: 'failed', assertionResults: [{ status: 'failed' }, { status: 'failed' }, { status: 'passed' }] }],
    };
    expect(vitestCounts(failing)).toEqual({ passed: 1, failed: 2, skipped: 0, brokenFiles: [], brokenPassed: 0 });
    expect(vitestCounts({ ...failing, numFailedTests: 0, testResults: [passing] })).toMatchObject({ failed: 1 });
  });

  it('passes a clean run, skipped tests counted as skipped', () => {
    expect(vitestCounts({ success: true, numPassedTests: 2, numFailedTests: 0, numPendingTests: 1, numTodoTests: 1, testResults: [passing] })).toEqual({ passed: 2, failed: 0, skipped: 2, brokenFiles: [], brokenPassed: 0 });
  });
});

describe("npm test's reading of Vitest's unhandled errors", () => {
  const death = (files: string): UnhandledError => ({
    message: '[vitest-pool]: Worker forks emitted error.',
    causes: [`Worker exited unexpectedly with signal SIGTRAP during started state while running test file${files.includes(', ') ? 's' : ''} ${files}`],
  });

  it('names the files of a worker that died, and nothing for any other error', () => {
    expect(diedWorkerFiles(death('/repo/a.test.ts'))).toEqual(['/repo/a.test.ts']);
    expect(diedWorkerFiles(death('/repo/a.test.ts, /repo/b.test.ts'))).toEqual(['/repo/a.test.ts', '/repo/b.test.ts']);
    expect(diedWorkerFiles({ message: 'Worker exited unexpectedly with exit code 1 during started state while running test file /repo/c.test.ts', causes: [] })).toEqual(['/repo/c.test.ts']);
    expect(diedWorkerFiles({ message: 'thrown after its test', causes: [] })).toBeNull();
  });

  it("accounts for Vitest's failing exit only when every unhandled error is the death of a broken file's worker", () => {
    expect(onlyDiedWorkers([], ['/repo/a.test.ts'])).toBe(true);
    expect(onlyDiedWorkers([death('/repo/a.test.ts')], ['/repo/a.test.ts'])).toBe(true);
    expect(onlyDiedWorkers([death('/repo/a.test.ts'), { message: 'thrown after its test', causes: [] }], ['/repo/a.test.ts'])).toBe(false);
    expect(onlyDiedWorkers([death('/repo/other.test.ts')], ['/repo/a.test.ts'])).toBe(false);
  });

  // A real Vitest, on the probes in worker-death/ (a worker killed with SIGTRAP; an error thrown
  // after a test), with the reporter npm test adds.
  it.each([
    ['a worker that dies', 'dies.probe.ts', true],
    ['an error thrown after a test', 'throws-late.probe.ts', false],
  ])('reads what a real Vitest run reports for %s', (_name, probe, accounted) => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldsync-vitest-'));
    try {
      const root = join(import.meta.dirname, '..', '..');
      const run = spawnSync(process.execPath, [
        join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', join(import.meta.dirname, 'worker-death', 'vitest.config.ts'), probe,
        '--reporter=json', `--outputFile.json=${join(dir, 'report.json')}`, `--reporter=${join(root, 'scripts', 'lib', 'unhandled-errors-reporter.ts')}`,
      ], { cwd: root, encoding: 'utf8', env: { ...process.env, FIELDSYNC_VITEST_ERRORS: join(dir, 'errors.json') } });
      expect(run.status, run.stdout + run.stderr).toBe(1);
      const counts = vitestCounts(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as VitestReport);
      const errors = JSON.parse(readFileSync(join(dir, 'errors.json'), 'utf8')) as UnhandledError[];
      expect(errors.length).toBe(1);
      if (accounted) {
        // (Its first test passed, but Vitest had not yet heard so when the worker died.)
        expect(counts).toMatchObject({ failed: 1, brokenFiles: [join(import.meta.dirname, 'worker-death', probe)] });
      } else {
        expect(errors[0]?.message).toBe('thrown after its test');
      }
      expect(onlyDiedWorkers(errors, counts.brokenFiles)).toBe(accounted);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
