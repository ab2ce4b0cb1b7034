import { defineConfig } from 'vitest/config';

// Four groups, each runnable alone (`vitest run --project <name>`, npm run test:<name>); `vitest run`
// (npm test, CI) runs all four. The global setup belongs to the root and runs once per run, whatever
// the groups: it creates the run's database and provides its URL and Redis's to every group.
export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      // Inline projects take the settings above (pool, timeouts) by `extends: true`.
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.test.ts', 'bench/**/*.test.ts'] },
      },
      // In-process: the app through app.inject(), consumers and schedulers in the test's own process.
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'] } },
      // Child processes: the API and the worker spawned, private Postgres and Redis stopped and started.
      { extends: true, test: { name: 'faults', include: ['test/faults/**/*.test.ts'] } },
      // A real browser (test/support/browser.ts: Debian's chromium-headless-shell) on the console, the
      // app listening on a free port; a browser's start and axe's scans take seconds on a busy machine.
      {
        extends: true,
        test: { name: 'browser', include: ['test/browser/**/*.test.ts'], testTimeout: 60_000 },
      },
    ],
  },
});
