/**
 * `npm run bench` options: checked before anything runs, so that a typo fails at once with
 * one line (exit code 2) instead of running nothing, or everything, for minutes.
 */
import { parseArgs } from 'node:util';

/** Every workload, in the order they run: one source for --only, --help and the checks. */
export const WORKLOADS = ['local-write', 'apply', 'ingest', 'catch-up', 'realtime', 'wire-size', 'compaction', 'big-pushes', 'peers'] as const;
export type Workload = (typeof WORKLOADS)[number];

export const DEFAULT_RESULTS_DIR = 'bench/results';

export const BENCH_USAGE = `usage: npm run bench -- [--quick] [--only LIST] [--readme] [--out DIR]
  --quick        smaller sizes, for routine checks (under 2 minutes)
  --only LIST    some workloads, comma-separated: ${WORKLOADS.join(', ')}
  --readme       also write this run's table into README.md and its results into
                 bench/readme-run.json (the only way either changes; every workload, full sizes)
  --out DIR      where the results file goes (default ${DEFAULT_RESULTS_DIR}, which git ignores)
  -h, --help     this help

Each run prints a Markdown table, writes <DIR>/<time>.json and <DIR>/latest.json with the
machine's description and its load average, and flags a run on a busy machine as noisy.`;

export interface BenchOptions {
  readonly quick: boolean;
  readonly readme: boolean;
  readonly only: ReadonlySet<Workload> | null;
  readonly out: string;
}

export class BenchArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchArgsError';
  }
}

/** The options, or null for --help. Throws BenchArgsError with one line. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions | null {
  let values: { quick?: boolean; readme?: boolean; only?: string; out?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        quick: { type: 'boolean' },
        readme: { type: 'boolean' },
        only: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new BenchArgsError((err as Error).message.split(/\.\s/)[0] ?? 'bad arguments');
  }
  if (values.help) return null;
  if (positionals.length > 0) throw new BenchArgsError(`unexpected argument: ${positionals[0]} (workloads go in --only)`);
  let only: Set<Workload> | null = null;
  if (values.only !== undefined) {
    const names = values.only.split(',').map((n) => n.trim()).filter(Boolean);
    const unknown = names.filter((n) => !(WORKLOADS as readonly string[]).includes(n));
    if (unknown.length > 0) throw new BenchArgsError(`unknown workload${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (the workloads are ${WORKLOADS.join(', ')})`);
    if (names.length === 0) throw new BenchArgsError(`--only needs at least one workload: ${WORKLOADS.join(', ')}`);
    only = new Set(names as Workload[]);
  }
  const readme = values.readme === true;
  if (readme && only) throw new BenchArgsError('--readme refreshes the whole table: run every workload (leave out --only)');
  if (readme && values.quick) throw new BenchArgsError('--readme records full-size figures: leave out --quick');
  return { quick: values.quick === true, readme, only, out: values.out ?? DEFAULT_RESULTS_DIR };
}
