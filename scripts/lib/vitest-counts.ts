/**
 * The counts `npm test` reports for Vitest, from its JSON report. Vitest's own totals are not
 * enough, and neither is its exit code:
 * - a test file that fails to load has no test results at all;
 * - a test file whose worker process dies (a native crash of Node, say V8's
 *   "Check failed: jit_page.has_value()" seen on 2026-11-30) leaves its tests "pending" and
 *   in none of the totals. The report then says `success: false` and the file's status is
 *   "failed". Vitest (5.1) reports the death as an unhandled error, which the JSON report
 *   leaves out, and exits with 1 (with 0 in some runs of Vitest 4).
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

/** An error Vitest reported outside any test, as scripts/lib/unhandled-errors-reporter.ts writes it. */
export interface UnhandledError {
  readonly message: string;
  /** The messages of its causes, outermost first. */
  readonly causes: readonly string[];
}

// Vitest's words for a worker that died: "Worker exited unexpectedly with signal SIGTRAP during
// started state while running test file /repo/a.test.ts" (", "-separated when several).
const workerExit = /^Worker exited unexpectedly .*? while running test files? (.+)$/s;

/** The test files whose worker's death `error` reports (itself or a cause of it); null when it reports anything else. */
export function diedWorkerFiles(error: UnhandledError): string[] | null {
  for (const message of [error.message, ...error.causes]) {
    const m = workerExit.exec(message);
    if (m) return (m[1] as string).split(', ');
  }
  return null;
}

/**
 * True when every unhandled error of a run is the death of the worker of one of `brokenFiles`:
 * then Vitest's failing exit is theirs alone, and running them again settles it. Any other
 * unhandled error, or a death of another file's worker, is a failure of its own.
 */
export function onlyDiedWorkers(errors: readonly UnhandledError[], brokenFiles: readonly string[]): boolean {
  return errors.every((e) => diedWorkerFiles(e)?.every((f) => brokenFiles.includes(f)) ?? false);
}
