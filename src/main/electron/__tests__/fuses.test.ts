/**
 * Issue 11 item 8: the fuses of the packaged app, as electron-builder itself reads and
 * validates electron-builder.yml (its own loader and JSON schema, so a misspelt fuse fails
 * here too). Electron cannot run here; this checks the configuration that `npm run dist`
 * flips into the binary.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..', '..');
// app-builder-lib is electron-builder's own library (a dependency of it): resolved from there.
const requireFromBuilder = createRequire(createRequire(join(root, 'package.json')).resolve('electron-builder'));
const { getConfig, validateConfiguration } = requireFromBuilder('app-builder-lib/out/util/config/config.js') as {
  getConfig(projectDir: string, configPath: string | null, fromOptions: Record<string, unknown> | null): Promise<Record<string, unknown>>;
  validateConfiguration(config: Record<string, unknown>, debugLogger: unknown): Promise<void>;
};
const { DebugLogger } = createRequire(requireFromBuilder.resolve('app-builder-lib'))('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

describe('Electron fuses', () => {
  it('are set in electron-builder.yml, valid for electron-builder, and switch off what the app does not use', async () => {
    const config = await getConfig(root, join(root, 'electron-builder.yml'), null);
    await validateConfiguration(config, new DebugLogger(false));
    expect(config.electronFuses).toEqual({
      runAsNode: false, // ELECTRON_RUN_AS_NODE would make the signed binary a plain Node
      enableNodeOptionsEnvironmentVariable: false, // NODE_OPTIONS (and NODE_EXTRA_CA_CERTS) ignored
      enableNodeCliInspectArguments: false, // no --inspect, no debugger on SIGUSR1
      enableCookieEncryption: true, // the cookie store encrypted with the OS's keys
      enableEmbeddedAsarIntegrityValidation: true, // app.asar checked against its hash
      onlyLoadAppFromAsar: true, // no app/ folder next to it loaded instead
      grantFileProtocolExtraPrivileges: false, // the page comes from app://, file:// gets nothing extra
      loadBrowserProcessSpecificV8Snapshot: false,
    });
    // Integrity validation needs the asar archive, and its hash in the binary; only the .node
    // files are left out of it (packaging.test.ts checks what is unpacked).
    expect(config.asar).toEqual({ smartUnpack: false });
  });

  it('electron-builder refuses a misspelt fuse, so the test above cannot pass on a typo', async () => {
    const config = await getConfig(root, join(root, 'electron-builder.yml'), null);
    await expect(validateConfiguration({ ...config, electronFuses: { runAsNodes: false } }, new DebugLogger(false))).rejects.toThrow(/Invalid configuration object.*electronFuses/s);
  });
});

describe('the signed macOS build’s entitlements', () => {
  it('grant only JIT, to the app and every helper, beyond the hardened runtime', async () => {
    const config = await getConfig(root, join(root, 'electron-builder.yml'), null);
    await validateConfiguration(config, new DebugLogger(false));
    const mac = config.mac as { entitlements?: string; entitlementsInherit?: string; hardenedRuntime?: boolean };
    // electron-builder's default file, used when none is named, also grants unsigned
    // executable memory and disables library validation.
    expect(mac.entitlements).toBe('build/entitlements.mac.plist');
    expect(mac.entitlementsInherit).toBe('build/entitlements.mac.plist');
    expect(mac.hardenedRuntime).not.toBe(false);
    const plist = readFileSync(join(root, mac.entitlements ?? ''), 'utf8').replace(/<!--[\s\S]*?-->/g, '');
    expect([...plist.matchAll(/<key>([^<]+)<\/key>\s*<(\w+)\/>/g)].map((m) => `${m[1]}=${m[2]}`)).toEqual(['com.apple.security.cs.allow-jit=true']);
  });
});

describe('the release workflow’s unsigned macOS build', () => {
  // Its electron-builder arguments, as electron-builder's own command line reads them: an
  // explicit ad-hoc identity signs the bundle after the fuses are flipped (without a
  // certificate electron-builder 26 signs nothing, and Apple Silicon kills an app whose
  // flipped binary is unsigned), and hardened runtime is off, which ad-hoc signing needs.
  it('asks electron-builder for an ad-hoc signature without hardened runtime', async () => {
    const release = readFileSync(join(root, '.github', 'workflows', 'release.yml'), 'utf8');
    const flags = /unsigned_mac=\(([^)]+)\)/.exec(release)?.[1]?.split(' ') ?? [];
    expect(flags.length).toBeGreaterThan(0);
    const requireFromCli = createRequire(requireFromBuilder.resolve('electron-builder'));
    const yargs = requireFromCli('yargs') as () => unknown;
    const cli = requireFromCli('./builder.js') as {
      configureBuildCommand(y: unknown): { parse(args: string[]): unknown };
      normalizeOptions(args: unknown): { config: Record<string, unknown> };
    };
    const options = cli.normalizeOptions(cli.configureBuildCommand(yargs()).parse(['--config', 'electron-builder.yml', '--mac', 'dmg', ...flags]));
    const config = await getConfig(root, null, options.config);
    await validateConfiguration(config, new DebugLogger(false)); // coerces "false" to false, as a build does
    expect(config.mac).toMatchObject({ identity: '-', hardenedRuntime: false });
  });
});
