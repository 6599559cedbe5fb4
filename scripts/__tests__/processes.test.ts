/** A child process that fails before it is ready: its output is in the error, once. */
import { describe, expect, it } from 'vitest';
import { childSpawnOptions, startNodeProcess, stopRequest } from '../processes.ts';

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

  // As server/main.ts and src/web-host/main.ts: a graceful stop when the launcher's channel closes.
  const host = ['-e', "process.on('disconnect', () => { console.error('closed cleanly'); process.exit(0); }); setInterval(() => {}, 1000); console.log('listening on http://127.0.0.1:1')"];

  it('stops a child with an IPC channel on Windows by closing the channel: a signal there would end it at once', async () => {
    const lines: string[] = [];
    const child = await startNodeProcess({ name: 'host', args: host, ipc: true, platform: 'win32', onLine: (l) => lines.push(l) });
    expect(await child.stop('SIGTERM', 5000)).toBe(0);
    expect(lines).toContain('closed cleanly');
  });

  it('signals it elsewhere, and without a channel, and for SIGKILL', async () => {
    const child = await startNodeProcess({ name: 'host', args: host, ipc: true, platform: 'linux' });
    expect(await child.stop('SIGTERM', 5000)).toBe('SIGTERM');
    expect(stopRequest('SIGTERM', true, 'win32')).toBe('disconnect');
    expect(stopRequest('SIGINT', true, 'win32')).toBe('disconnect');
    expect(stopRequest('SIGKILL', true, 'win32')).toBe('signal');
    expect(stopRequest('SIGTERM', false, 'win32')).toBe('signal');
    expect(stopRequest('SIGTERM', true, 'darwin')).toBe('signal');
  });

  it('hides the console window Windows gives a detached child (the server, each host): its output comes through the pipes', () => {
    expect(childSpawnOptions({ name: 'host', args: [], detached: true, ipc: true })).toMatchObject({ detached: true, windowsHide: true, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  });
});
