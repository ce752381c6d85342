import { defineConfig } from 'vitest/config';

/**
 * The fault-injection suite (`npm run test:faults`): the hub as separate processes, with its
 * processes killed, its Redis flushed, its PostgreSQL restarted and its partners misbehaving.
 * Kept out of `npm test` (vitest.config.ts excludes test/faults) so it runs once in CI.
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    // Each file runs several hub processes and measures time bounds: one file at a time keeps
    // the two CI cores from skewing those bounds.
    fileParallelism: false,
    // As in vitest.config.ts: Redis keys deleted after each file, temporary folders after the run.
    setupFiles: ['test/support/after-file.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
