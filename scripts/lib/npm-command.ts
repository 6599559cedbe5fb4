/**
 * How a script runs npm, on every platform. Under `npm run`/`npm test`, the npm that runs us
 * (`npm_execpath`, its JavaScript entry) is run with this Node: the same npm, and no shell. Else
 * `npm` on PATH. On Windows that is `npm.cmd`, which Node runs only through cmd.exe (EINVAL
 * otherwise: CVE-2024-27980), and cmd.exe gets the arguments joined by spaces, unquoted
 * (Node's DEP0190): pack:lib's `--pack-destination C:\Users\Jane Doe\...` fell apart. So there
 * the npm that Node's installer puts beside node.exe comes first, by its JavaScript entry.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, win32 } from 'node:path';

export interface Command {
  readonly command: string;
  readonly args: string[];
  readonly shell: boolean;
}

export function npmCommand(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: NodeJS.Platform = process.platform,
  exists: (path: string) => boolean = existsSync,
): Command {
  const cli = env.npm_execpath;
  if (cli && /\.[cm]?js$/.test(cli)) {
    // Under npx, npm_execpath is npx's entry; npm's is beside it.
    const npm = basename(cli).startsWith('npx-cli') ? join(dirname(cli), 'npm-cli.js') : cli;
    return { command: process.execPath, args: [npm, ...args], shell: false };
  }
  if (platform !== 'win32') return { command: 'npm', args: [...args], shell: false };
  const beside = win32.join(win32.dirname(process.execPath), 'node_modules', 'npm', 'bin', 'npm-cli.js');
  if (exists(beside)) return { command: process.execPath, args: [beside, ...args], shell: false };
  return { command: 'npm.cmd', args: [...args], shell: true };
}
