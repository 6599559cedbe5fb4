/**
 * A copy of the app as a forker starts from, to apply the fork guide's steps to
 * (docs/fork.md): every file of the working tree that git would track, and a link to this
 * checkout's node_modules (installing again would need the network).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '../../scripts/processes.ts';

/**
 * Copies the app at `from` (this checkout by default) into `dest` (which must not exist yet):
 * the files git lists, tracked or not ignored, a symbolic link as a link. `node_modules` is
 * linked to `from`'s, even when it is itself a link (`.gitignore`'s `node_modules/` matches
 * only a folder, so git lists such a link).
 */
export function copyApp(dest: string, from: string = repoRoot): void {
  const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: from, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    if (file === 'node_modules' || file.startsWith('node_modules/')) continue;
    const source = join(from, file);
    const target = join(dest, file);
    if (!existsSync(source) && !isLink(source)) continue; // deleted in the working tree
    mkdirSync(dirname(target), { recursive: true });
    if (isLink(source)) symlinkSync(readlinkSync(source), target);
    else cpSync(source, target);
  }
  symlinkSync(join(from, 'node_modules'), join(dest, 'node_modules'), 'dir');
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The reference app's identity (package.json, electron-builder.yml); a fork renames both (docs/fork.md). */
const REFERENCE = { productName: 'Fieldsync', appId: 'dev.fieldsync.app' } as const;

/**
 * Whether `dir` holds the reference app itself rather than a fork of it: its productName and
 * appId are still the reference app's. A fork renames the app first (docs/fork.md, "Your
 * app's name").
 */
export function isReferenceApp(dir: string = repoRoot): { readonly reference: boolean; readonly productName: string; readonly appId: string } {
  const { productName = '' } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { productName?: string };
  const appId = /^appId:\s*['"]?([^'"\s#]+)/m.exec(readFileSync(join(dir, 'electron-builder.yml'), 'utf8'))?.[1] ?? '';
  return { reference: productName === REFERENCE.productName && appId === REFERENCE.appId, productName, appId };
}

/** Why a patch does not apply to the app in `dir` (`git apply --check`), or null when it does. */
export function patchProblem(dir: string, patchFile: string): string | null {
  const result = spawnSync('git', ['apply', '--check', '--whitespace=error-all', patchFile], { cwd: dir, encoding: 'utf8' });
  return result.status === 0 ? null : result.stderr.trim() || `git apply --check exited ${result.status ?? result.signal}`;
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
