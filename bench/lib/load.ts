/**
 * How busy the machine was around a benchmark run. Every figure is a ratio to the raw database
 * measured in the same run, which absorbs a steady load, but other work starting and stopping
 * mid-run still skews them: the load average is recorded with each run, and a run that started
 * on a busy machine is flagged as noisy.
 */
import { cpus, loadavg, platform } from 'node:os';

export interface LoadSample {
  /** Before which workload (or "end"). */
  readonly at: string;
  /** The 1, 5 and 15-minute load averages. */
  readonly loadavg: readonly [number, number, number];
}

export interface LoadReport {
  readonly cores: number;
  readonly samples: readonly LoadSample[];
  /** Whether the load average means anything here (Windows has none). */
  readonly known: boolean;
  readonly noisy: boolean;
  /** Why the run is noisy, in one line, or null. */
  readonly reason: string | null;
}

/** A run is noisy when, before it started, other work kept more than half the cores busy. */
export const NOISY_SHARE = 0.5;

export function judgeLoad(samples: readonly LoadSample[], cores: number, known = true): LoadReport {
  const first = samples[0];
  if (!known || !first) return { cores, samples, known: false, noisy: false, reason: null };
  const before = first.loadavg[0];
  const noisy = before > cores * NOISY_SHARE;
  const reason = noisy ? `the machine was busy before the run (1-minute load average ${before.toFixed(2)} on ${cores} cores): other work competed for the CPU, so the figures may be off; run again when it is idle` : null;
  return { cores, samples, known: true, noisy, reason };
}

/** Samples the load average as the run goes. */
export function loadRecorder(): { sample(at: string): void; report(): LoadReport } {
  const samples: LoadSample[] = [];
  return {
    sample(at) {
      const [a, b, c] = loadavg() as [number, number, number];
      samples.push({ at, loadavg: [a, b, c].map((x) => Math.round(x * 100) / 100) as [number, number, number] });
    },
    report: () => judgeLoad(samples, cpus().length, platform() !== 'win32'),
  };
}
