/**
 * A Vitest reporter that writes the run's unhandled errors (those outside any test: a worker
 * that died, an error thrown after its test ended) to the JSON file named by
 * `FIELDSYNC_VITEST_ERRORS`, each as its message and the messages of its causes.
 *
 * Why: Vitest's JSON report leaves them out, yet they decide its exit code. `npm test` reads
 * them to tell a run that failed only because a worker process died (which it runs again,
 * scripts/test-all.ts) from one that failed for anything else.
 */
import { writeFileSync } from 'node:fs';
import type { Reporter } from 'vitest/node';
import type { UnhandledError } from './vitest-counts.ts';

interface ErrorLike {
  readonly message?: unknown;
  readonly cause?: unknown;
}

function describe(error: unknown): UnhandledError {
  const causes: string[] = [];
  let cause = (error as ErrorLike | null)?.cause;
  for (let depth = 0; cause !== undefined && cause !== null && depth < 5; depth++) {
    causes.push(String((cause as ErrorLike).message ?? cause));
    cause = (cause as ErrorLike).cause;
  }
  return { message: String((error as ErrorLike | null)?.message ?? error), causes };
}

export default class UnhandledErrorsReporter implements Reporter {
  onTestRunEnd(_modules: unknown, unhandledErrors: readonly unknown[]): void {
    const path = process.env.FIELDSYNC_VITEST_ERRORS;
    if (path) writeFileSync(path, JSON.stringify(unhandledErrors.map(describe)));
  }
}
