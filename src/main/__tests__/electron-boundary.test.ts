/** Only the thin adapter files import Electron; the core, the store and the helpers run on plain Node. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const ADAPTERS = ['src/main/electron/main.ts', 'src/main/electron/window.ts', 'src/preload/index.ts'];

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.includes('__tests__'))
    .map((f) => relative(root, join(root, dir, f)).split('\\').join('/'));
}

it('imports electron only in the adapter files', () => {
  const importing = [...sources('src/main'), ...sources('src/preload')]
    .filter((f) => /from\s+['"]electron(\/[^'"]*)?['"]|require\(\s*['"]electron['"]\s*\)/.test(readFileSync(join(root, f), 'utf8')))
    .sort();
  expect(importing).toEqual([...ADAPTERS].sort());
});
