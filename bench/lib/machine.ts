/** A description of the machine and software a benchmark ran on, for the results file. */
import { cpus, freemem, platform, release, totalmem } from 'node:os';
import Database from 'better-sqlite3';

export function describeMachine(): Record<string, unknown> {
  const cpu = cpus();
  const db = new Database(':memory:');
  const sqlite = (db.prepare('select sqlite_version() as v').get() as { v: string }).v;
  db.close();
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    freeMemoryGiB: Math.round(freemem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    sqlite,
  };
}
