import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    env: { CDK8S_DISABLE_SORT: '' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
