import { defineConfig } from 'vitest/config';

// Tests train real (small) models on real data: generous timeouts, and files run in
// separate forks so one file's tfjs backend state cannot leak into another's.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    setupFiles: ['test/setup.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
