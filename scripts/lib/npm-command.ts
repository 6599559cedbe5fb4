/**
 * How a script runs npm, on every platform. Under `npm run`/`npm test`, the npm that runs us
 * (`npm_execpath`, its JavaScript entry) is run with this Node: the same npm, and no shell. Else
 * `npm` on PATH; on Windows that is `npm.cmd`, which Node spawns only through a shell.
 */
import { basename, dirname, join } from 'node:path';

export interface Command {
  readonly command: string;
  readonly args: string[];
  readonly shell: boolean;
}

export function npmCommand(args: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env, platform: NodeJS.Platform = process.platform): Command {
  const cli = env.npm_execpath;
  if (cli && /\.[cm]?js$/.test(cli)) {
    // Under npx, npm_execpath is npx's entry; npm's is beside it.
    const npm = basename(cli).startsWith('npx-cli') ? join(dirname(cli), 'npm-cli.js') : cli;
    return { command: process.execPath, args: [npm, ...args], shell: false };
  }
  return platform === 'win32' ? { command: 'npm.cmd', args: [...args], shell: true } : { command: 'npm', args: [...args], shell: false };
}
