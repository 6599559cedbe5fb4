/**
 * Loaded into a child server with `--import` (shutdown-frozen-database.test.ts, round 68): when
 * the process calls `process.exit`, writes to the file named by FIELDSYNC_EXIT_PROBE the code and
 * the delay of server/main.ts's timer whose callback made the call (null when no timer of
 * main.ts did), so that a test can say "it exited 1 from its 5.2 s timer" without timing it.
 */
import { writeFileSync } from 'node:fs';
import { probeTimers } from './timer-probe.ts';

const out = process.env.FIELDSYNC_EXIT_PROBE;
if (out !== undefined) {
  const probe = probeTimers('/server/main.ts');
  const exit = process.exit.bind(process);
  process.exit = ((code?: number) => {
    writeFileSync(out, JSON.stringify({ code: code ?? null, fromTimerMs: probe.running()?.ms ?? null }));
    return exit(code);
  }) as typeof process.exit;
}
