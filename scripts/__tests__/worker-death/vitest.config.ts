import { defineConfig } from 'vitest/config';

// The probes of vitest-counts.test.ts, run by it in a Vitest of their own (never by `npm test`
// directly: their names do not end in `.test.ts`).
export default defineConfig({ test: { include: ['*.probe.ts'], root: import.meta.dirname } });
