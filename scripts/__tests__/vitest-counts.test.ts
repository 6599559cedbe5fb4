/**
 * What `npm test` counts from Vitest's JSON report (scripts/lib/vitest-counts.ts). The crashed
 * case is the report Vitest 5.1 wrote for a file whose worker was killed with SIGTRAP while its
 * first test ran (reproduced with `process.kill(process.pid, 'SIGTRAP')` in a test): it exited
 * with 0, the file's tests were in none of its totals, and `npm test` passed the run.
 */
import { describe, expect, it } from 'vitest';
import { vitestCounts, type VitestReport } from '../lib/vitest-counts.ts';

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
