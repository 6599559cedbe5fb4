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

interface Step {
  readonly name: string;
  readonly command: string[];
  readonly env?: Record<string, string>;
  /** Reads test counts from the step's JSON report; without it the step counts as one check. */
  readonly counts?: () => { passed: number; failed: number; skipped: number };
}

const root = join(import.meta.dirname, '..');
const reports = join(root, 'reports');
const skip = new Set<string>();
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--skip') skip.add(process.argv[++i] ?? '');
}

const vitestReport = join(reports, 'vitest.json');
const e2eReport = join(reports, 'e2e.json');
const npmBin = (name: string): string => join(root, 'node_modules', '.bin', name);

const steps: Step[] = [
  { name: 'lint', command: [npmBin('eslint'), '.'] },
  { name: 'typecheck', command: ['npm', 'run', '--silent', 'typecheck'] },
  {
    name: 'unit',
    command: [npmBin('vitest'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestReport}`],
    counts: () => {
      const r = JSON.parse(readFileSync(vitestReport, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number; numTotalTestSuites: number; testResults: { status: string; assertionResults: unknown[] }[] };
      // A test file that fails to load has no test results but must count as a failure.
      const brokenFiles = r.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
      return { passed: r.numPassedTests, failed: r.numFailedTests + brokenFiles, skipped: r.numPendingTests + r.numTodoTests };
    },
  },
];
if (existsSync(join(root, 'electron.vite.config.ts'))) steps.push({ name: 'build', command: ['npm', 'run', '--silent', 'build'] });
if (existsSync(join(root, 'playwright.config.ts'))) {
  steps.push({
    name: 'e2e',
    command: ['npm', 'run', '--silent', 'test:e2e', '--', '--reporter=list,json'],
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
  rmSync(e2eReport, { force: true });
  const started = Date.now();
  const result = spawnSync(step.command[0] as string, step.command.slice(1), {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...step.env },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const ok = result.status === 0;
  if (step.counts) {
    let c = { passed: 0, failed: 1, skipped: 0 };
    try {
      c = step.counts();
      if (!ok && c.failed === 0) c = { ...c, failed: 1 }; // the runner itself failed
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
