import { defineConfig } from 'vitest/config';

// Two projects: `unit` runs beside the code with no services; `integration` runs under test/
// against the real local two-region stack, which its global setup starts (or reuses).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['platform/**/*.test.ts', 'functions/**/*.test.ts', 'infra/**/*.test.ts', 'tenants/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // Two JVMs share two cores with the tests: keep integration files from piling up.
          maxWorkers: 2,
          pool: 'forks',
        },
      },
    ],
  },
});
