/**
 * `npm run bench` hygiene: its options are checked before anything runs (a typo is an error,
 * never a silent empty run), results go to an ignored folder with the load average, a busy
 * machine flags the run as noisy, and the README changes only with --readme.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/temp-dir.ts';
import { BenchArgsError, DEFAULT_RESULTS_DIR, WORKLOADS, parseBenchArgs } from '../lib/cli.ts';
import { judgeLoad } from '../lib/load.ts';
import { updateReadme } from '../lib/report.ts';

const root = join(import.meta.dirname, '..', '..');
const bench = (args: string[]) => spawnSync(process.execPath, [join(root, 'bench', 'run.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });

describe('bench options', () => {
  it('defaults to every workload at full size, results in the ignored folder', () => {
    expect(parseBenchArgs([])).toEqual({ quick: false, readme: false, only: null, out: DEFAULT_RESULTS_DIR });
    expect(parseBenchArgs(['--quick', '--only', 'apply,realtime'])).toEqual({ quick: true, readme: false, only: new Set(['apply', 'realtime']), out: DEFAULT_RESULTS_DIR });
    expect(parseBenchArgs(['--help'])).toBeNull();
    expect(parseBenchArgs(['-h'])).toBeNull();
    const ignored = spawnSync('git', ['check-ignore', '-q', join(DEFAULT_RESULTS_DIR, 'x.json')], { cwd: root });
    expect(ignored.status).toBe(0);
  });

  it.each([
    [['--only', 'aply'], 'unknown workload: aply'],
    [['--only', 'apply,nope,zip'], 'unknown workloads: nope, zip'],
    [['--only', ','], 'needs at least one workload'],
    [['--only'], "argument missing"],
    [['--frobnicate'], "Unknown option '--frobnicate'"],
    [['apply'], 'unexpected argument: apply'],
    [['--readme', '--only', 'apply'], '--readme refreshes the whole table'],
    [['--readme', '--quick'], '--readme records full-size figures'],
  ])('refuses %j', (args, message) => {
    expect(() => parseBenchArgs(args)).toThrow(BenchArgsError);
    expect(() => parseBenchArgs(args)).toThrow(message);
  });

  it('names every workload in its help', () => {
    const r = bench(['--help']);
    expect(r.status).toBe(0);
    for (const w of WORKLOADS) expect(r.stdout).toContain(w);
  });

  it('an unknown workload stops it at once with exit code 2, before anything runs', () => {
    const dir = tempDir();
    try {
      const r = bench(['--only', 'apply,aply', '--out', dir.path]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('unknown workload: aply');
      expect(r.stdout).toBe('');
      expect(readdirSync(dir.path)).toEqual([]);
    } finally {
      dir.remove();
    }
  });
});

describe('bench load average', () => {
  const sample = (one: number) => ({ at: 'apply', loadavg: [one, one, one] as [number, number, number] });
  it('flags a run that started while other work kept more than half the cores busy', () => {
    expect(judgeLoad([sample(0.4), sample(1.9)], 2)).toMatchObject({ noisy: false, reason: null, known: true });
    const busy = judgeLoad([sample(1.5)], 2);
    expect(busy.noisy).toBe(true);
    expect(busy.reason).toContain('1-minute load average 1.50 on 2 cores');
    expect(judgeLoad([sample(3)], 8).noisy).toBe(false);
    expect(judgeLoad([sample(0)], 2, false)).toMatchObject({ known: false, noisy: false });
  });
});

describe('bench results', () => {
  it('a run writes its results with the load average into the results folder, and leaves the README alone', () => {
    const dir = tempDir();
    const readmeBefore = readFileSync(join(root, 'README.md'), 'utf8');
    const readmeRunBefore = readFileSync(join(root, 'bench', 'readme-run.json'), 'utf8');
    try {
      const r = bench(['--quick', '--only', 'wire-size', '--out', dir.path]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/load average \(1 min\) during the run: [\d.]+ → [\d.]+/);
      const files = readdirSync(dir.path).sort();
      expect(files).toHaveLength(2);
      expect(files).toContain('latest.json');
      const results = JSON.parse(readFileSync(join(dir.path, 'latest.json'), 'utf8')) as { load: { samples: { at: string; loadavg: number[] }[]; noisy: boolean }; results: { wireSize: unknown[] } };
      expect(results.load.samples.map((s) => s.at)).toEqual(['wire-size', 'end']);
      expect(results.load.samples[0]?.loadavg).toHaveLength(3);
      expect(r.stdout.includes('NOISY RUN')).toBe(results.load.noisy);
      expect(results.results.wireSize.length).toBeGreaterThan(0);
      expect(readFileSync(join(root, 'README.md'), 'utf8')).toBe(readmeBefore);
      expect(readFileSync(join(root, 'bench', 'readme-run.json'), 'utf8')).toBe(readmeRunBefore);
    } finally {
      dir.remove();
    }
  }, 120_000);

  it('--readme replaces only the table between the markers', () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'README.md');
      writeFileSync(file, 'intro\n<!-- bench:start -->\nold table\n<!-- bench:end -->\nafter\n');
      updateReadme(file, '| new |');
      expect(readFileSync(file, 'utf8')).toBe('intro\n<!-- bench:start -->\n| new |\n<!-- bench:end -->\nafter\n');
      writeFileSync(file, 'no markers');
      expect(() => updateReadme(file, 'x')).toThrow(/no <!-- bench:start -->/);
      expect(existsSync(join(root, 'bench', 'readme-run.json'))).toBe(true);
    } finally {
      dir.remove();
    }
  });
});
