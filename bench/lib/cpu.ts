/** CPU and wall time of a piece of work, and the heap it keeps (after a full GC). */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
/** A full garbage collection, without starting Node with --expose-gc. */
export const collect = runInNewContext('gc') as () => void;

export interface Timing {
  /** Process CPU time (user + system), seconds: stable on a shared machine. */
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
}

export async function measure(fn: () => unknown): Promise<Timing> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds };
}

/**
 * The heap in use after a full GC: the JavaScript heap, plus memory outside it that is not
 * an ArrayBuffer (WebAssembly's memory, for Automerge). Buffers are left out: the HTTP
 * client's come and go with its connections, and no replica keeps its data in one.
 */
export function heapInUse(): number {
  collect();
  collect();
  const m = process.memoryUsage();
  return m.heapUsed + m.external - m.arrayBuffers;
}
