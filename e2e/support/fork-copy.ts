/**
 * A copy of the app as a forker starts from, to apply the fork guide's steps to
 * (docs/fork.md): every file of the working tree that git would track, and a link to this
 * checkout's node_modules (installing again would need the network).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '../../scripts/processes.ts';

/** Copies the app into `dest` (which must not exist yet). */
export function copyApp(dest: string): void {
  const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repoRoot, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    const from = join(repoRoot, file);
    if (!existsSync(from)) continue; // deleted in the working tree
    mkdirSync(dirname(join(dest, file)), { recursive: true });
    cpSync(from, join(dest, file));
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(dest, 'node_modules'), 'dir');
}

/** The files a patch touches, from its `diff --git a/… b/…` headers. */
export function patchedFiles(patch: string): string[] {
  return [...patch.matchAll(/^diff --git a\/(\S+) b\/(\S+)$/gm)].map((m) => m[2] as string);
}

/** Applies a patch file to the copy, as `git apply` does; throws with git's words if it does not apply. */
export function applyPatch(dir: string, patchFile: string): string[] {
  const result = spawnSync('git', ['apply', '--whitespace=error-all', patchFile], { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${patchFile} does not apply to the app any more:\n${result.stderr}`);
  return patchedFiles(readFileSync(patchFile, 'utf8'));
}

/** Runs a command in the copy; throws with its output when it fails. */
export function run(dir: string, command: string, args: readonly string[], timeoutMs = 300_000): void {
  const result = spawnSync(command, [...args], { cwd: dir, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, FORCE_COLOR: '0' } });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed in the fork (${result.status ?? result.signal}):\n${result.stdout.slice(-6000)}\n${result.stderr.slice(-6000)}`);
  }
}
