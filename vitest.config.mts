import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Tests that spawn processes (npm pack + install, `cdk8s synth`, the bundler script, the CLI through tsx, a headless
 * browser), run the TypeScript compiler over generated code, or reset the module registry: the `e2e` projects. Everything
 * else is the `unit` project. `vitest run --project unit` is the quick loop.
 *
 * The files of a worker share one module registry (`isolate: false`) in `unit` and `e2e`, so the library and the CRD
 * schemas (compiled on first use, cached per process) are loaded once per worker instead of once per file (a spawning
 * test gains nothing from a fresh registry: what it tests runs in the process it spawns). Only the files that mock or
 * reset modules (`MODULE_RESETS`) run isolated, one registry per file (`e2e-isolated`).
 */
const E2E = [
  'test/package.test.ts',
  'test/validate-cli/plugin.test.ts',
  'test/testing/bundled-schemas.test.ts',
  'test/testing/framework-entries.test.ts',
  'test/readme.test.ts',
  'test/hubble/draft.test.ts',
  'test/cli/trace.test.ts',
  'test/cli/cold-start.test.ts',
  'test/hubble/samples.test.ts',
  'test/validate-cli/bundled-schema-backstop.test.ts',
  'test/diff/html-browser.test.ts',
  'test/diff/git-ref.test.ts',
];

/** E2E files that use vi.mock / vi.resetModules: a registry of their own. */
const MODULE_RESETS = [
  'test/validate-cli/bundled-schema-backstop.test.ts',
  'test/testing/framework-entries.test.ts',
];

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    env: { CDK8S_DISABLE_SORT: '' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // One worker per core. Vitest's default for `run` is cores - 1, which is a single worker on a 2-core machine: every
    // file in a row, one core idle. The main process only collects results, and the e2e files spend most of their time
    // waiting on the processes they spawn.
    maxWorkers: availableParallelism(),
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: E2E, isolate: false } },
      { extends: true, test: { name: 'e2e', include: E2E, exclude: MODULE_RESETS, isolate: false } },
      { extends: true, test: { name: 'e2e-isolated', include: MODULE_RESETS } },
    ],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts', 'src/**/*.mts'],
      // Reports go to the OS temp dir (COVERAGE_DIR overrides), never into the project tree.
      reportsDirectory: process.env.COVERAGE_DIR ?? join(tmpdir(), 'cdk8s-cilium-coverage'),
      reporter: ['text-summary', 'json-summary'],
    },
  },
});
