/** A child process that fails before it is ready: its output is in the error, once. */
import { describe, expect, it } from 'vitest';
import { startNodeProcess } from '../processes.ts';

const failing = ['-e', "console.error('boom: the schema is wrong'); process.exit(3)"];

describe('startNodeProcess', () => {
  it('puts the output of a process that exited before its ready line in the error', async () => {
    await expect(startNodeProcess({ name: 'host', args: failing })).rejects.toThrow(/host exited \(3\) before it was ready\. Its output:\nboom: the schema is wrong/);
  });

  it('does not repeat it when each line was shown already (start:web prints them as they come)', async () => {
    const shown: string[] = [];
    const error = await startNodeProcess({ name: 'host', args: failing, onLine: (l) => shown.push(l), linesShown: true }).catch((e: Error) => e);
    expect(shown).toEqual(['boom: the schema is wrong']);
    expect((error as Error).message).toBe('host exited (3) before it was ready. Its output is above.');
  });
});
