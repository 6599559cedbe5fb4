/**
 * `npm run build`: the main process, the preload and the renderer, into `out/`.
 *
 * - main (`out/main/main.js`, ESM): everything is bundled except better-sqlite3, whose native
 *   module cannot be; electron-builder packs it (and only it) from node_modules.
 * - preload (`out/preload/index.cjs`, CommonJS, one file): a sandboxed preload can only
 *   `require('electron')`, so everything else, the shared API code included, is bundled in.
 * - renderer (`out/renderer/index.html`): React, from `src/renderer`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

const root = import.meta.dirname;
const rendererHtml = resolve(root, 'src/renderer/index.html');
const hasRenderer = existsSync(rendererHtml);
/** The page's `<title>` before the app sets its own: `productName`, the app's one name (src/renderer/src/app-name.ts). */
const { productName } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { productName: string };
const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const appNameTitle: Plugin = { name: 'app-name-title', transformIndexHtml: (html) => html.replace(/<title>[^<]*<\/title>/, `<title>${escapeHtml(productName)}</title>`) };
if (!hasRenderer) console.warn(`electron-vite: ${rendererHtml} does not exist; building main and preload only`);

export default defineConfig({
  main: {
    build: {
      externalizeDeps: { include: ['better-sqlite3'], exclude: ['zod', 'fractional-indexing'] },
      rollupOptions: {
        input: { main: resolve(root, 'src/main/electron/main.ts') },
        external: ['better-sqlite3'],
      },
    },
  },
  preload: {
    build: {
      externalizeDeps: false,
      isolatedEntries: true,
      rollupOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  ...(hasRenderer
    ? {
        renderer: {
          root: resolve(root, 'src/renderer'),
          plugins: [react(), appNameTitle],
          build: { rollupOptions: { input: { index: rendererHtml } } },
        },
      }
    : {}),
});
