/**
 * `node scripts/make-icon.ts`: draws the app icon into `build/` for electron-builder:
 * `build/icon.png` (1024 × 1024; electron-builder makes the macOS .icns and Windows .ico
 * from it) and `build/icons/<n>x<n>.png` for Linux. The icon is code (scripts/lib/icon.ts),
 * so a fork changes it there and runs this again.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ICON_SIZES, renderIcon } from './lib/icon.ts';
import { encodePng } from './lib/png.ts';

const build = join(import.meta.dirname, '..', 'build');
mkdirSync(join(build, 'icons'), { recursive: true });
for (const size of ICON_SIZES) {
  const png = encodePng(size, size, renderIcon(size));
  writeFileSync(join(build, 'icons', `${size}x${size}.png`), png);
  if (size === 1024) writeFileSync(join(build, 'icon.png'), png);
}
console.log(`wrote build/icon.png and build/icons/{${ICON_SIZES.join(',')}}`);
