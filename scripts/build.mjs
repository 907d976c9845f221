// Bundles the sidecar with esbuild: dist/kestrel-cert-sidecar.mjs (the CLI: an entry point that loads
// the program's bundles from dist/app/, each named by its entry module), dist/publish-worker.mjs,
// dist/warm-code-cache.mjs, and dist/lib/ (the library API and the testcontainers helper). Nothing from
// node_modules is needed at run time.
import { build } from 'esbuild';
import { existsSync, readFileSync, rmSync, chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import tls from 'node:tls';
import { execFileSync } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import path from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// node-forge is CommonJS and calls require('crypto'); ESM output needs a real require for that.
const banner = "const require = process.getBuiltinModule('node:module').createRequire(import.meta.url);";

// Our own `import x from 'node:x'` becomes `process.getBuiltinModule('node:x')`. An ESM import of a
// built-in makes Node build its ESM facade, which reads every export and so loads every lazy part
// of it (node:fs loads the streams, node:util the encoders and worker_threads): ~5 ms of every start.
// Only default imports are allowed in sidecar/, so a named one fails the build here. Dependencies
// (chokidar, undici: watch and probe only) keep their ESM imports.
const builtins = {
  name: 'builtins',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) => (a.importer.includes('node_modules') ? { path: a.path, external: true } : { path: a.path, namespace: 'builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (a) => ({ contents: `export default process.getBuiltinModule(${JSON.stringify(a.path)});`, loader: 'js' }));
  },
};
const common = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: true,
  legalComments: 'linked',
  // The public roots of this Node are written beside the bundle, so the sidecar need not load
  // node:tls to read them. Every chunk sits one directory below dist/.
  define: { __VERSION__: JSON.stringify(pkg.version), __NODE_ROOTS_FILE__: JSON.stringify('../node-root-certificates.pem') },
  banner: { js: banner },
  logLevel: 'warning',
  plugins: [builtins],
};

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
// The CLI: small ESM entry points with the loader (bin.ts, worker.ts, warm.ts; see loader.ts), and
// the program as CommonJS bundles that the loader runs with V8 code caches, each loaded only by
// the commands that need it:
//   app/cli.cjs     the command line and the findings             every command
//   app/engine.cjs  the pipeline: node:crypto, node-forge         init, check, each publish of watch
//   app/watch.cjs   chokidar, the health server                   watch (the process that waits)
//   app/probe.cjs   undici                                        probe
//   app/trust.cjs   the trust stores                              trust
// A bundle reaches another as `kcs:<name>`, which the loader answers; the findings live in cli
// only, so every bundle shares one KcsError. Dynamic imports become such requires too, so nothing
// in a bundle needs Node's ESM loader.
await build({
  ...common,
  entryPoints: { 'kestrel-cert-sidecar': 'sidecar/entry/bin.ts', 'publish-worker': 'sidecar/entry/worker.ts', 'warm-code-cache': 'sidecar/entry/warm.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  banner: { js: '#!/usr/bin/env node' },
});
chmodSync('dist/kestrel-cert-sidecar.mjs', 0o755);
const program = {
  ...common,
  format: 'cjs',
  banner: {},
  outdir: 'dist/app',
  outExtension: { '.js': '.cjs' },
  supported: { 'dynamic-import': false },
  // The bundles are not CommonJS modules of Node's: the loader passes their URL.
  define: { ...common.define, 'import.meta.url': '__bundleUrl' },
};
const src = (m) => path.resolve('sidecar', m);
/** Imports of these sidecar modules become `require('kcs:<bundle>')`. */
const links = (map) => ({
  name: 'links',
  setup(b) {
    b.onResolve({ filter: /\.js$/ }, (a) => {
      if (a.importer.includes('node_modules') || !a.path.startsWith('.')) return undefined;
      const bundle = map[path.resolve(a.resolveDir, a.path).replace(/\.js$/, '')];
      return bundle ? { path: `kcs:${bundle}`, external: true } : undefined;
    });
  },
});
const findings = { [src('findings')]: 'cli' };
const bundles = {
  cli: { entry: 'sidecar/entry/cli.ts', links: { [src('pipeline')]: 'engine', [src('watch/watch')]: 'watch', [src('probe/probe')]: 'probe', [src('trust/index')]: 'trust' } },
  engine: { entry: 'sidecar/entry/engine.ts', links: findings },
  watch: { entry: 'sidecar/watch/watch.ts', links: { ...findings, [src('watch/step')]: 'engine' } },
  probe: { entry: 'sidecar/probe/probe.ts', links: findings },
  trust: { entry: 'sidecar/trust/index.ts', links: findings },
};
/** Modules whose state must exist once (KcsError's class identity): each lives in one bundle, the others reach it through `kcs:`. */
const SINGLETONS = { 'sidecar/findings.ts': 'cli' };
const holders = new Map();
for (const [name, b] of Object.entries(bundles)) {
  const { metafile } = await build({ ...program, entryPoints: { [name]: b.entry }, plugins: [builtins, links(b.links)], metafile: true });
  for (const input of Object.keys(metafile.inputs)) if (input in SINGLETONS) holders.set(input, [...(holders.get(input) ?? []), name]);
  // The loader runs each bundle as one function expression; it is written here, so the loader hands
  // V8 the file's text as it is. The build id heads it: the loader keys its code cache to it (V8
  // itself checks only the length of the source).
  const file = `dist/app/${name}.cjs`;
  const body = `(function (exports, require, module, __bundleUrl) {${readFileSync(file, 'latin1')}\n})`;
  writeFileSync(file, `//# kcs-build ${createHash('sha256').update(body, 'latin1').digest('hex')}\n${body}`, 'latin1');
}
for (const [module, bundle] of Object.entries(SINGLETONS)) {
  const found = holders.get(module) ?? [];
  if (found.length !== 1 || found[0] !== bundle) throw new Error(`${module} must be in the ${bundle} bundle only, and is in: ${found.join(', ') || 'none'} (a new import of it needs a kcs: link in build.mjs)`);
}
mkdirSync('dist/lib', { recursive: true });
writeFileSync('dist/node-root-certificates.pem', `${tls.rootCertificates.join('\n')}\n`);
writeFileSync('dist/node-root-certificates.json', JSON.stringify(tls.rootCertificates.map((pem) => new X509Certificate(pem).subject)));
await build({ ...common, entryPoints: { index: 'sidecar/index.ts' }, outdir: 'dist/lib', outExtension: { '.js': '.mjs' } });
// The testcontainers helper: testcontainers stays the harness's own dependency.
if (existsSync('sidecar/testing')) {
  await build({ ...common, entryPoints: { testing: 'sidecar/testing/kestrel-certs-container.ts' }, outdir: 'dist/lib', outExtension: { '.js': '.mjs' }, external: ['testcontainers'] });
}
// Run every command once, so the code caches hold every function a start needs.
execFileSync(process.execPath, ['dist/warm-code-cache.mjs'], { stdio: 'inherit' });
console.log('built dist/kestrel-cert-sidecar.mjs (app/*.cjs and their code caches), dist/publish-worker.mjs and dist/lib/index.mjs');
