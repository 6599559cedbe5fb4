/** A script run by a path that is not its real one is still the main module (scripts/lib/main-module.ts). */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/temp-dir.ts';
import { isMainModule } from '../lib/main-module.ts';

describe('isMainModule', () => {
  it('is the script run by a path through a symlink (macOS: /tmp is /private/tmp)', () => {
    const dir = tempDir();
    try {
      mkdirSync(join(dir.path, 'real'));
      writeFileSync(join(dir.path, 'real', 'cli.ts'), '');
      symlinkSync(join(dir.path, 'real'), join(dir.path, 'link'), 'dir');
      expect(isMainModule(join(dir.path, 'real', 'cli.ts'), join(dir.path, 'link', 'cli.ts'))).toBe(true);
      expect(isMainModule(join(dir.path, 'real', 'cli.ts'), join(dir.path, 'real', 'cli.ts'))).toBe(true);
      writeFileSync(join(dir.path, 'real', 'other.ts'), '');
      expect(isMainModule(join(dir.path, 'real', 'cli.ts'), join(dir.path, 'link', 'other.ts'))).toBe(false);
      expect(isMainModule(join(dir.path, 'real', 'cli.ts'), join(dir.path, 'gone.ts'))).toBe(false);
      expect(isMainModule(join(dir.path, 'real', 'cli.ts'), undefined)).toBe(false);
    } finally {
      dir.remove();
    }
  });

  it("is the script run by a Windows path in another case: the system's real path decides", () => {
    // What realpathSync.native does on Windows: the one spelling the file system keeps.
    const real = (p: string): string => p.toLowerCase().replace(/^c:/, 'C:');
    expect(isMainModule('C:\\Src\\fieldsync\\scripts\\app-build.ts', 'c:\\src\\FIELDSYNC\\scripts\\app-build.ts', real)).toBe(true);
  });
});
