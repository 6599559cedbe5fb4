import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// Two projects: everything that runs on Node (the sync core, the server, the app core) and
// the renderer's components, which run in jsdom against the real app core (no fake of it).
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    passWithNoTests: true,
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['src/sync/**/*.test.ts', 'src/sqlite/**/*.test.ts', 'src/node/**/*.test.ts', 'src/main/**/*.test.ts', 'src/preload/**/*.test.ts', 'src/shared/**/*.test.ts', 'src/web-host/**/*.test.ts', 'server/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
          // One PostgreSQL server for the run (FIELDSYNC_TEST_DATABASE_URL, or an embedded one).
          globalSetup: ['test-support/postgres-global-setup.ts'],
        },
      },
      {
        plugins: [react()],
        test: {
          name: 'renderer',
          environment: 'jsdom',
          include: ['src/renderer/**/*.test.ts', 'src/renderer/**/*.test.tsx'],
          // jsdom's sizes for the windowed todo list, and a 5 s wait for what is expected on screen (see the file).
          setupFiles: ['src/renderer/src/testing/renderer-setup.ts'],
        },
      },
    ],
  },
});
