import { defineConfig } from 'vitest/config';

// Unit tests run in parallel; integration and e2e tests share one testbed (real sshd, dockerd,
// PostgreSQL) brought up once by the global setup, so they run one file at a time.
//
// Timeouts are for hangs, not for speed: they leave room for a busy machine (a CI runner sharing
// its CPUs, unit files started side by side) many times over what a quiet one takes. How fast
// something is belongs in the benchmarks (bench/, `npm run bench:…`), never in a test. An
// expect.poll waits for a state, so its default is as generous as a test's own wait.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          expect: { poll: { timeout: 30_000 } },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts', 'tests/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/support/testbed-setup.ts'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
          expect: { poll: { timeout: 30_000 } },
        },
      },
    ],
  },
});
