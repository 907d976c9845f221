import fs from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(fs.readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

export default defineConfig({
  // As the build does (scripts/build.mjs), so source and bundle name the same version and image.
  define: { __VERSION__: JSON.stringify(version) },
  test: {
    // dist/ rebuilt when older than its sources: several suites run the CLI as users do.
    globalSetup: ['test/support/build-dist.ts'],
    projects: [
      // In-process tests of the modules: seconds.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 60_000 } },
      // The built CLI and the watch loop as users run them, with real watchers, processes and the tools we did not
      // write.
      { extends: true, test: { name: 'cli', include: ['test/cli/**/*.test.ts'], testTimeout: 60_000 } },
      // Seeded, with a fixed count of trials: slow by design (thousands of publishes, kills, races).
      {
        extends: true,
        test: { name: 'stress', include: ['test/stress/**/*.test.ts'], testTimeout: 900_000, fileParallelism: false },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/conformance/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 1_200_000,
          fileParallelism: false,
          // No image can be pulled here, testcontainers' Ryuk included; the tests clean up themselves.
          env: { TESTCONTAINERS_RYUK_DISABLED: 'true' },
        },
      },
    ],
  },
});
