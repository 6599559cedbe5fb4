/** Running npm from a script: the npm that runs us, with this Node, on every platform. */
import { describe, expect, it } from 'vitest';
import { npmCommand } from '../lib/npm-command.ts';

describe('npmCommand', () => {
  it('under npm: its JavaScript entry, run with this Node, no shell (Windows included)', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      expect(npmCommand(['run', 'build'], { npm_execpath: '/npm/bin/npm-cli.js' }, platform)).toEqual({ command: process.execPath, args: ['/npm/bin/npm-cli.js', 'run', 'build'], shell: false });
    }
    expect(npmCommand(['test'], { npm_execpath: '/npm/bin/npx-cli.js' }, 'linux').args[0]).toMatch(/[/\\]npm[/\\]bin[/\\]npm-cli\.js$/);
  });

  it('otherwise npm on PATH: npm.cmd through a shell on Windows', () => {
    expect(npmCommand(['test'], {}, 'linux')).toEqual({ command: 'npm', args: ['test'], shell: false });
    expect(npmCommand(['test'], { npm_execpath: '/usr/bin/yarn' }, 'darwin')).toEqual({ command: 'npm', args: ['test'], shell: false });
    expect(npmCommand(['test'], {}, 'win32', () => false)).toEqual({ command: 'npm.cmd', args: ['test'], shell: true });
  });

  it('on Windows, the npm beside node.exe by its entry first: cmd.exe would split a path with a space (DEP0190)', () => {
    const seen: string[] = [];
    const c = npmCommand(['pack', '--pack-destination', 'C:\\Users\\Jane Doe\\fieldsync\\dist-lib'], {}, 'win32', (p) => (seen.push(p), true));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/[\\/]node_modules\\npm\\bin\\npm-cli\.js$/);
    expect(c).toEqual({ command: process.execPath, args: [seen[0], 'pack', '--pack-destination', 'C:\\Users\\Jane Doe\\fieldsync\\dist-lib'], shell: false });
  });
});
