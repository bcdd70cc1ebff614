import { defineConfig } from 'vitest/config';

// Two projects: unit tests (pure, no root, seconds) beside the code, and
// end-to-end tests (root, real kernel, network namespaces) under test/e2e,
// run one file at a time because they share the kernel's netns namespace.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts', 'test/*.test.ts'] } },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
