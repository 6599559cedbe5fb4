/**
 * One of two processes starting at the same moment on the same data dirs (start-race.test.ts):
 * waits for the other, then takes each dir's lock and loads its secret, as a server starting
 * does, and writes down which locks it got, the secrets it read and what failed.
 * Usage: node start-race-worker.ts <role> <base> <dirs>
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockDataDir } from '../../stores/data-dir-lock.ts';
import { loadSecret } from '../../secret.ts';

const [role, base, count] = process.argv.slice(2) as [string, string, string];
const locked: number[] = [];
const secrets: string[] = [];
const failures: string[] = [];
writeFileSync(join(base, `${role}.ready`), '');
const otherRole = role === 'a' ? 'b' : 'a';
/** A busy wait, bounded: both start together, and both stay alive until both are done. */
function waitFor(file: string): void {
  const until = Date.now() + 20_000;
  while (!existsSync(file) && Date.now() < until) {
    // spin
  }
}
waitFor(join(base, `${otherRole}.ready`));
for (let i = 0; i < Number(count); i++) {
  const dir = join(base, `d${i}`);
  try {
    lockDataDir(dir); // never released: the other process must be refused while this one lives
    locked.push(i);
  } catch (err) {
    if (!String(err).includes('another Fieldsync server')) failures.push(String(err));
  }
  try {
    secrets.push(loadSecret(dir, undefined));
  } catch (err) {
    secrets.push('');
    failures.push(String(err));
  }
}
writeFileSync(join(base, `${role}.json`), JSON.stringify({ locked, secrets, failures }));
// A lock whose process is gone is stale, and rightly taken: this one lives until the other is done.
waitFor(join(base, `${otherRole}.json`));
