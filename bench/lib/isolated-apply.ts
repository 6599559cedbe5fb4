/**
 * Runs one contender of the `peers` workload in a fresh Node process (bench/lib/apply-child.ts),
 * so that each is measured from the same start: a cold process, its own warm-up, its own
 * heap. The Fieldsync contenders pull from the parent's server over loopback HTTP.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { Timing } from './cpu.ts';
import type { FieldsyncStoreKind, Transport } from './fieldsync-pull.ts';

export type ApplyTask =
  | { readonly kind: 'fieldsync'; readonly store: FieldsyncStoreKind; readonly transport: Transport; readonly url: string; readonly token: string; readonly changes: number; readonly repeats: number }
  | { readonly kind: 'peer'; readonly name: string; readonly changes: number; readonly repeats: number };

export interface ApplyTiming {
  readonly changes: number;
  readonly runs: readonly Timing[];
  readonly heapBytesPerChange: number;
  /** A peer's own encoding of the changes, per change (Fieldsync's is counted by the parent). */
  readonly bytesPerChange?: number;
}

const CHILD = join(import.meta.dirname, 'apply-child.ts');
/** A contender that takes longer is stopped (killed), and the run fails rather than hangs. */
const TIMEOUT_MS = 15 * 60_000;

export function applyInProcess(task: ApplyTask): Promise<ApplyTiming> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...process.execArgv, CHILD, JSON.stringify(task)], { maxBuffer: 1 << 20, timeout: TIMEOUT_MS, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`the ${task.kind === 'peer' ? task.name : `Fieldsync ${task.store}`} contender failed: ${stderr.trim() || err.message}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ApplyTiming);
      } catch {
        reject(new Error(`the contender printed no result: ${stdout.slice(-500)}`));
      }
    });
  });
}
