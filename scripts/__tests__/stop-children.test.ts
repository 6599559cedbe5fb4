/** How `npm start` stops its children: Windows has no signals to send (scripts/lib/stop-children.ts). */
import { describe, expect, it } from 'vitest';
import { closeWindowsCommand, passesSignalsOn } from '../lib/stop-children.ts';

describe('stopping what npm start started', () => {
  it('asks an app window to close on Windows (taskkill without /F: WM_CLOSE), and signals it elsewhere', () => {
    expect(closeWindowsCommand(4242, 'win32')).toEqual({ command: 'taskkill', args: ['/PID', '4242'] });
    expect(closeWindowsCommand(4242, 'win32')?.args).not.toContain('/F');
    expect(closeWindowsCommand(4242, 'linux')).toBeNull();
    expect(closeWindowsCommand(4242, 'darwin')).toBeNull();
  });

  it('passes a signal on to start:web on POSIX only: on Windows Ctrl-C has reached it already', () => {
    expect(passesSignalsOn('linux')).toBe(true);
    expect(passesSignalsOn('darwin')).toBe(true);
    expect(passesSignalsOn('win32')).toBe(false);
  });
});
