import { defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against each mutant (stryker.config.mjs): the in-process tests of the semantic core. Spawned and
 * type-check tests (the `e2e` project of vitest.config.mts) are left out: a mutant of src/ does not reach them.
 */
export default defineConfig({
  test: {
    include: ['test/engine/**/*.test.ts', 'test/constructs/**/*.test.ts', 'test/hubble/replay*.test.ts'],
    // The cache-consistency property (same deciding code on both sides) cannot kill a mutant of it; the reference agreement can.
    exclude: ['test/engine/naive-agreement.test.ts'],
    setupFiles: ['test/setup.ts'],
    env: { CDK8S_DISABLE_SORT: '' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
