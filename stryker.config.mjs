// `npm run mutate`: StrykerJS over the pure and loading stages (docs/testing.md has the scores and the
// review of the survivors). Slow on purpose and not in CI: run one folder at a time,
//   npm run mutate -- --mutate 'sidecar/pkix/**/*.ts'
// Incremental: each run keeps its results in reports/stryker-incremental.json, and the next run tests
// again only the mutants whose code or covering tests changed.

// A mutant runs with the tests' privileges. As root, a mutant of publish/output.ts's create() (its loop that
// gives each new parent 0755, with the stop condition mutated away) chmods every ancestor of a test's
// directory: one run left this machine's /tmp at 0755, and rootless Podman then failed in the next CI run
// (runc cannot make its tmpdir). Run it as a normal user; as root only on a machine you can throw away.
if (process.geteuid?.() === 0 && process.env.MUTATE_AS_ROOT !== '1') {
  throw new Error(
    'npm run mutate refuses to run as root: a mutant of the publish stage can chmod or chown directories outside ' +
      "the tests' own (it once left /tmp at 0755). Run it as a normal user, or set MUTATE_AS_ROOT=1 on a " +
      'throw-away machine (the root-only tests then run too).',
  );
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // The unit project only (vitest.mutate.config.ts): the cli project spawns the built bundle, which
  // Stryker does not mutate, so it could never kill a mutant. Forks, not the runner's default threads: the
  // writer's tests set process.umask(), which worker threads refuse ("not supported in workers").
  vitest: { configFile: 'vitest.mutate.config.ts', related: true, pool: 'forks' },
  mutate: [
    'sidecar/pkix/**/*.ts',
    'sidecar/load/**/*.ts',
    'sidecar/validate/**/*.ts',
    'sidecar/publish/**/*.ts',
    'sidecar/settings/**/*.ts',
  ],
  // The machine has 2 cores shared by many engineers.
  concurrency: 2,
  timeoutMS: 30_000,
  timeoutFactor: 2,
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants) would run every test for each: half the time for a few percent.
  ignoreStatic: true,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  // In place: the fixtures hold symlinks (a Kubernetes secret's ..data) that Stryker's sandbox copy cannot
  // copy. The sources are mutated in the work tree and restored at the end (or from .stryker-tmp/backup-*
  // after a kill): do not edit sidecar/ while a run is going.
  inPlace: true,
  // vitest does not type-check, so Stryker need not add `// @ts-nocheck` to every file of the tree.
  disableTypeChecks: false,
  tempDirName: '.stryker-tmp',
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
};
