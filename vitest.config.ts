import { defineConfig } from 'vitest/config';

// chDB binds one data directory per process: every test file runs in its own fork.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'ui/node_modules/**', 'ui/build/**', 'ui/.svelte-kit/**', '.weft/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
