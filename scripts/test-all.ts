/**
 * `npm test`: every check the project has, in order, with one summary line at the end:
 * lint, typecheck, the Vitest suites (unit, integration, property-based, PostgreSQL),
 * the production build, and the Playwright end-to-end suite.
 *
 *   npm test                  everything
 *   npm test -- --skip e2e    leave out a step (lint, typecheck, unit, build, e2e)
 *
 * The last line reads `N passed, N failed`: test cases of every suite, plus one for each
 * check (lint, typecheck, build). The exit code is non-zero when anything failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { npmCommand } from './lib/npm-command.ts';
import { onlyDiedWorkers, vitestCounts, type UnhandledError, type VitestReport } from './lib/vitest-counts.ts';

interface Step {
  readonly name: string;
  readonly command: string[];
  readonly shell?: boolean;
  readonly env?: Record<string, string>;
  /** Reads test counts from the step's JSON report; without it the step counts as one check. */
  readonly counts?: () => StepCounts;
}

interface StepCounts {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** True when these counts account for the runner's failing exit (a crashed file passed when run again). */
  readonly exitAccounted?: boolean;
}

const root = join(import.meta.dirname, '..');
const reports = join(root, 'reports');
const skip = new Set<string>();
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--skip') skip.add(process.argv[++i] ?? '');
}

const vitestReport = join(reports, 'vitest.json');
const vitestRerunReport = join(reports, 'vitest-again.json');
// Vitest's unhandled errors (scripts/lib/unhandled-errors-reporter.ts): its JSON report leaves them out.
const vitestErrors = join(reports, 'vitest-errors.json');
const e2eReport = join(reports, 'e2e.json');
// Tools by their JavaScript entry, run with this Node: node_modules/.bin holds shell scripts on
// POSIX and .cmd files on Windows, neither of which spawns the same way everywhere.
const tool = (...path: string[]): string[] => [process.execPath, join(root, 'node_modules', ...path)];
const npm = (...args: string[]): { command: string[]; shell: boolean } => {
  const c = npmCommand(args);
  return { command: [c.command, ...c.args], shell: c.shell };
};
const vitestRun = (...args: string[]): string[] => [
  ...tool('vitest', 'vitest.mjs'), 'run', ...args,
  '--reporter=default', '--reporter=json', '--reporter=./scripts/lib/unhandled-errors-reporter.ts',
];
const readErrors = (): UnhandledError[] | null => {
  try {
    return JSON.parse(readFileSync(vitestErrors, 'utf8')) as UnhandledError[];
  } catch {
    return null; // not written: the run ended before its reporters did
  }
};

const steps: Step[] = [
  { name: 'lint', command: [...tool('eslint', 'bin', 'eslint.js'), '.'] },
  { name: 'typecheck', ...npm('run', '--silent', 'typecheck') },
  {
    name: 'unit',
    command: vitestRun(`--outputFile.json=${vitestReport}`),
    env: { FIELDSYNC_VITEST_ERRORS: vitestErrors },
    counts: () => {
      const c = vitestCounts(JSON.parse(readFileSync(vitestReport, 'utf8')) as VitestReport);
      for (const file of c.brokenFiles) console.log(`FAILED without a failed test (it did not load, or its worker died): ${file}`);
      if (c.brokenFiles.length === 0 || c.failed > c.brokenFiles.length) return c;
      // Only files whose worker died (or that did not load) failed. Node itself can abort a
      // worker under load (V8's "Check failed: jit_page.has_value()", a known V8 bug, and
      // another SIGTRAP since; docs/testing.md): run those files again, alone, once. Said in
      // the output either way; a file that fails again counts as failed. Vitest's own failing
      // exit is then accounted for only when its every unhandled error is one of those deaths.
      const errors = readErrors();
      const accounted = errors !== null && onlyDiedWorkers(errors, c.brokenFiles);
      if (!accounted) console.log('Vitest also reported unhandled errors other than the death of those files\' workers (above): the run fails');
      console.log(`\n=== unit, again: the ${c.brokenFiles.length} file(s) above, alone`);
      const again = spawnSync(process.execPath, vitestRun(...c.brokenFiles, `--outputFile.json=${vitestRerunReport}`).slice(1), { cwd: root, stdio: 'inherit' });
      let r: ReturnType<typeof vitestCounts> = { passed: 0, failed: c.brokenFiles.length, skipped: 0, brokenFiles: c.brokenFiles, brokenPassed: 0 };
      try {
        r = vitestCounts(JSON.parse(readFileSync(vitestRerunReport, 'utf8')) as VitestReport);
        if (again.status !== 0 && r.failed === 0) r = { ...r, failed: 1 };
      } catch {
        // No report: the second run crashed too.
      }
      console.log(r.failed === 0 ? 'passed when run again: counted from that run (the crash is still shown above)' : 'FAILED again');
      // The files' tests as the second run counts them (not also those that passed before the crash).
      return { passed: c.passed - c.brokenPassed + r.passed, failed: r.failed + (accounted ? 0 : 1), skipped: c.skipped + r.skipped, exitAccounted: accounted };
    },
  },
];
if (existsSync(join(root, 'electron.vite.config.ts'))) steps.push({ name: 'build', ...npm('run', '--silent', 'build') });
if (existsSync(join(root, 'playwright.config.ts'))) {
  steps.push({
    name: 'e2e',
    ...npm('run', '--silent', 'test:e2e', '--', '--reporter=list,json'),
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: e2eReport },
    counts: () => {
      const r = JSON.parse(readFileSync(e2eReport, 'utf8')) as { stats: { expected: number; unexpected: number; flaky: number; skipped: number } };
      return { passed: r.stats.expected + r.stats.flaky, failed: r.stats.unexpected, skipped: r.stats.skipped };
    },
  });
}

mkdirSync(reports, { recursive: true });
let passed = 0;
let failed = 0;
let skipped = 0;
const lines: string[] = [];
for (const step of steps) {
  if (skip.has(step.name)) {
    lines.push(`${step.name}: skipped (--skip)`);
    continue;
  }
  console.log(`\n=== ${step.name}: ${step.command.join(' ')}`);
  rmSync(vitestReport, { force: true });
  rmSync(vitestRerunReport, { force: true });
  rmSync(vitestErrors, { force: true });
  rmSync(e2eReport, { force: true });
  const started = Date.now();
  const result = spawnSync(step.command[0] as string, step.command.slice(1), {
    cwd: root,
    stdio: 'inherit',
    shell: step.shell ?? false,
    env: { ...process.env, ...step.env },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const ok = result.status === 0;
  if (step.counts) {
    let c: StepCounts = { passed: 0, failed: 1, skipped: 0 };
    try {
      c = step.counts();
      if (!ok && c.failed === 0 && c.exitAccounted !== true) c = { ...c, failed: 1 }; // the runner itself failed
    } catch {
      // No report: the runner crashed before writing it.
    }
    passed += c.passed;
    failed += c.failed;
    skipped += c.skipped;
    lines.push(`${step.name}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped (${seconds} s)`);
  } else {
    if (ok) passed++;
    else failed++;
    lines.push(`${step.name}: ${ok ? 'passed' : 'FAILED'} (${seconds} s)`);
  }
}

console.log('\n=== summary');
for (const l of lines) console.log(l);
if (skipped > 0) console.log(`(${skipped} skipped, each with its reason in the suite's output)`);
console.log(`${passed} passed, ${failed} failed`);
writeFileSync(join(reports, 'summary.txt'), `${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);
