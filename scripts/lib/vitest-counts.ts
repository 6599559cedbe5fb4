/**
 * The counts `npm test` reports for Vitest, from its JSON report. Vitest's own totals are not
 * enough, and neither is its exit code:
 * - a test file that fails to load has no test results at all;
 * - a test file whose worker process dies (a native crash of Node, say V8's
 *   "Check failed: jit_page.has_value()" seen on 2026-11-30) leaves its tests "pending" and
 *   in none of the totals, and Vitest (5.1) still exits with 0. The report then says
 *   `success: false` and the file's status is "failed".
 * Each such file counts as one failure.
 */
export interface VitestReport {
  readonly success?: boolean;
  readonly numPassedTests: number;
  readonly numFailedTests: number;
  readonly numPendingTests: number;
  readonly numTodoTests: number;
  readonly testResults: readonly { readonly name?: string; readonly status: string; readonly assertionResults: readonly { readonly status: string }[] }[];
}

export interface Counts {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** The files that failed without a failed test of their own (did not load, or their worker died). */
  readonly brokenFiles: readonly string[];
  /** Tests of those files that passed before their worker died (in `passed`). */
  readonly brokenPassed: number;
}

export function vitestCounts(r: VitestReport): Counts {
  let failed = r.numFailedTests;
  // Vitest's pending count leaves out the unfinished tests of a file whose worker died.
  const skipped = r.numPendingTests + r.numTodoTests;
  const brokenFiles: string[] = [];
  let brokenPassed = 0;
  for (const file of r.testResults) {
    if (file.status !== 'failed' || file.assertionResults.some((a) => a.status === 'failed')) continue;
    brokenFiles.push(file.name ?? '(unnamed file)');
    failed++;
    brokenPassed += file.assertionResults.filter((a) => a.status === 'passed').length;
  }
  // The run says it failed, and nothing above says why: count that too.
  if (r.success === false && failed === 0) failed = 1;
  return { passed: r.numPassedTests, failed, skipped, brokenFiles, brokenPassed };
}
