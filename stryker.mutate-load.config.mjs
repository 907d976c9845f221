// `npm run mutate`'s configuration with the unit project narrowed to the load/ and pkix/ tests
// (vitest.mutate-load.config.ts), for the files whose tests decrypt real PFX files per mutant:
//   npx stryker run stryker.mutate-load.config.mjs --mutate 'sidecar/load/@(pem|pkcs12).ts'
// docs/testing.md, "Mutation score", says which scores were measured this way (they are lower bounds).
import base from './stryker.config.mjs';

export default { ...base, vitest: { ...base.vitest, configFile: 'vitest.mutate-load.config.ts' } };
