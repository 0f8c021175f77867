import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Native addons (better-sqlite3, serialport) and child processes are safest in forked workers.
    pool: 'forks',
    // Two cores here and in CI: one file per core keeps timeouts honest.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    allowOnly: false,
  },
});
