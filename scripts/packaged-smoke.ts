/**
 * Starts the packaged app once and checks what it reports (scripts/lib/packaged-smoke.ts).
 * Run by the release workflow after electron-builder, on each OS:
 *
 *   node scripts/packaged-smoke.ts dist                  # finds the unpacked app electron-builder left in dist
 *   node scripts/packaged-smoke.ts path/to/executable    # or names it
 *   xvfb-run -a node scripts/packaged-smoke.ts dist      # Linux without a display
 *
 * Options: --timeout-seconds N (default 120). Exit code 0 when the app worked, 1 when it did not.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmokeTestError, checkSmokeRun, expectedSmokeReport, packagedExecutable, runPackagedApp, SMOKE_PROFILE } from './lib/packaged-smoke.ts';

const root = join(import.meta.dirname, '..');
const USAGE = 'usage: node scripts/packaged-smoke.ts <dist folder | executable> [--timeout-seconds N]';

function names(): { productName: string; executableName: string } {
  const { productName } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { productName: string };
  // js-yaml: electron-builder's own YAML reader, installed with it.
  const yaml = createRequire(createRequire(join(root, 'package.json')).resolve('electron-builder'))('js-yaml') as { load(text: string): unknown };
  const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as { linux?: { executableName?: string } };
  return { productName, executableName: config.linux?.executableName ?? productName };
}

async function main(argv: readonly string[]): Promise<void> {
  const timeoutAt = argv.indexOf('--timeout-seconds');
  const timeoutSeconds = timeoutAt === -1 ? 120 : Number(argv[timeoutAt + 1]);
  const rest = timeoutAt === -1 ? argv : argv.filter((_, i) => i !== timeoutAt && i !== timeoutAt + 1);
  if (rest.length !== 1 || !(timeoutSeconds > 0)) throw new SmokeTestError(USAGE);
  const target = rest[0] as string;
  const appNames = names();
  const executable = statSync(target).isDirectory() ? packagedExecutable(target, process.platform, appNames) : target;
  const dataRoot = mkdtempSync(join(tmpdir(), 'fieldsync-smoke-'));
  try {
    const run = await runPackagedApp({ executable, dataRoot, productName: appNames.productName, timeoutMs: timeoutSeconds * 1000 });
    checkSmokeRun(run, expectedSmokeReport(appNames.productName, SMOKE_PROFILE));
    console.log(`packaged app smoke test passed: ${executable}`);
  } finally {
    rmSync(dataRoot, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`packaged app smoke test failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
