// A narrowed copy of vitest.mutate.config.ts for measuring sidecar/load/pkcs12.ts and pem.ts: the unit
// project's include cut to the load/ and pkix/ tests. The whole unit project decrypts real PFX files in many
// more suites (convert/, validate/, pipeline), and each runs again for every mutant that any of them
// reaches: hours on 2 shared cores. The score it gives is a lower bound (the other suites can only kill more).
// Stryker takes the vitest config from its own config file only: stryker.mutate-load.config.mjs names this one
// (`npx stryker run stryker.mutate-load.config.mjs --mutate 'sidecar/load/@(pem|pkcs12).ts'`).
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
