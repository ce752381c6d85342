import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The fault-injection suite has its own config and command (npm run test:faults).
    exclude: [...configDefaults.exclude, 'test/faults/**'],
    // Integration files each get their own database and queue prefix, so files may run in parallel;
    // two workers match the two cores CI has.
    maxWorkers: 2,
    // Each file deletes its queue prefixes' Redis keys when it finishes; the run's temporary
    // folder (TMPDIR for every test and hub process) goes when the run ends.
    setupFiles: ['test/support/after-file.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
