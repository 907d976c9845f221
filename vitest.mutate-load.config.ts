// A narrowed copy of vitest.mutate.config.ts for measuring sidecar/load/pkcs12.ts and pem.ts: the unit
// project's include cut to the load/ and pkix/ tests. The whole unit project decrypts real PFX files in many
// more suites (convert/, validate/, pipeline), and each runs again for every mutant that any of them
// reaches: hours on 2 shared cores. The score it gives is a lower bound (the other suites can only kill more).
// Stryker takes the vitest config from its own config file only, so a run uses a copy of stryker.config.mjs
// with `vitest: { configFile: 'vitest.mutate-load.config.ts', related: true, pool: 'forks' }`:
//   import base from './stryker.config.mjs';
//   export default { ...base, vitest: { ...base.vitest, configFile: 'vitest.mutate-load.config.ts' } };
import fs from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(fs.readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

export default defineConfig({
  define: { __VERSION__: JSON.stringify(version) },
  test: {
    name: 'unit',
    include: ['test/unit/load/**/*.test.ts', 'test/unit/pkix/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
