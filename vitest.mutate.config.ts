// The vitest configuration `npm run mutate` (stryker.config.mjs) runs: the unit project alone. Left out:
// the tests that run the built dist/ (Stryker mutates sidecar/, not the bundle, so they cannot kill a
// mutant), source-rules (it measures sidecar/'s lines, which Stryker's instrumented copy changes) and the
// Kubernetes manifests' check, which reads no code under mutation.
import fs from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(fs.readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

export default defineConfig({
  define: { __VERSION__: JSON.stringify(version) },
  test: {
    name: 'unit',
    include: ['test/unit/**/*.test.ts'],
    exclude: [
      'test/unit/publish/ownership.test.ts',
      'test/unit/source-rules.test.ts',
      'test/unit/k8s-manifests.test.ts',
      // Thousands of generated inputs per run: minutes per mutant on this machine; `npm run fuzz` runs it.
      'test/unit/fuzz.test.ts',
    ],
    testTimeout: 60_000,
  },
});
