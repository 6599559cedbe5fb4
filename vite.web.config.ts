/**
 * The renderer alone, for the browser host: `vite build -c vite.web.config.ts` writes
 * out/renderer, as the Electron build does. `scripts/renderer-build.ts` uses it only when
 * there is no Electron build configuration.
 */
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  root: resolve(import.meta.dirname, 'src/renderer'),
  base: './',
  plugins: [react()],
  build: { outDir: resolve(import.meta.dirname, 'out/renderer'), emptyOutDir: true },
});
