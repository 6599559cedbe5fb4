/**
 * What a launched script prints on stdout, read until `enough` says the lines so far will do
 * (its URLs, say). It fails with everything the script printed, both streams, if the script
 * exits first or takes longer than `timeoutMs`. Call it right after the spawn.
 */
import type { ChildProcess } from 'node:child_process';

export interface Printed {
  /** Its stdout so far, by line, without empty ones. */
  readonly lines: string[];
  readonly stdout: string;
}

export function printedLines(child: ChildProcess, name: string, enough: (lines: string[]) => boolean, timeoutMs = 60_000): Promise<Printed> {
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  return new Promise<Printed>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} printed too little in ${timeoutMs} ms:\n${stdout}\n${stderr}`)), timeoutMs);
    child.stdout?.on('data', (d) => {
      stdout += d;
      const lines = stdout.split('\n').filter(Boolean);
      if (enough(lines)) {
        clearTimeout(timer);
        resolve({ lines, stdout });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}):\n${stdout}\n${stderr}`));
    });
  });
}
