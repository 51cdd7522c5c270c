import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `@lodestar/sdk` is a local package (root package.json links it into node_modules with a file: dependency); the alias
// (like tsconfig's `paths`, which tsc and tsx read) resolves it to this checkout's copy even where
// node_modules is shared with another checkout.
const resolve = { alias: { '@lodestar/sdk': fileURLToPath(new URL('./platform/sdk/index.ts', import.meta.url)) } };

// Three projects, run in this order (sequence.groupOrder):
// - `unit` beside the code, no services;
// - `integration` under test/ against the real local two-region stack, which the global setup
//   starts (or reuses);
// - `fault` under test/fault/, which kills and restarts real processes, so it runs alone after
//   everything else has finished with the stack.
const integration = {
  environment: 'node' as const,
  globalSetup: ['test/global-setup.ts'],
  testTimeout: 180_000,
  hookTimeout: 300_000,
  pool: 'forks' as const,
};

export default defineConfig({
  test: {
    // The JSON report is what .ci/run turns into its `N passed, N failed` line.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
    projects: [
      {
        resolve,
        test: {
          name: 'unit',
          include: ['platform/**/*.test.ts', 'functions/**/*.test.ts', 'infra/**/*.test.ts', 'tenants/**/*.test.ts', '.ci/**/*.test.ts'],
          environment: 'node',
          // Limits, not expectations: building the first fastify app of a file took over 10 s
          // on the 2-core host with both brokers and other test runs busy.
          testTimeout: 30_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        resolve,
        test: {
          ...integration,
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/fault/**'],
          // Two JVMs share two cores with the tests: keep integration files from piling up.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        resolve,
        test: {
          ...integration,
          name: 'fault',
          include: ['test/fault/**/*.test.ts'],
          // Parked (README "Parked tests"): read no output at all in 1 of 3 fresh-clone CI runs on
          // 2026-11-29, after the merges of that day (cause not found yet).
          exclude: process.env.LODESTAR_RUN_PARKED === '1' ? [] : ['test/fault/pulsar-txn-copier.test.ts'],
          // A test here kills a broker and waits for `up` to restart it on its data: on a loaded
          // 2-core host one restart alone has taken close to two minutes.
          testTimeout: 600_000,
          maxWorkers: 1,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
