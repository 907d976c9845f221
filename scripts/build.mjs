// Bundles the sidecar with esbuild: dist/kestrel-cert-sidecar.mjs (the CLI: an entry point that
// loads dist/app/core.cjs, and app/probe.cjs for probe only), dist/warm-code-cache.mjs, and
// dist/lib/index.mjs (the library API). Nothing from node_modules is needed at run time.
import { build } from 'esbuild';
import { existsSync, readFileSync, rmSync, chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import tls from 'node:tls';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';

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
// The CLI: a small ESM entry point and loader (bin.ts, loader.ts), and the program as two CommonJS
// bundles that the loader runs with V8 code caches: app/core.cjs (every command but probe) and
// app/probe.cjs (probe and undici, loaded only by `probe`). probe takes the findings helpers from
// core (`kcs:core`), so both share one KcsError. Dynamic imports become require calls the loader
// answers, so nothing in a bundle needs Node's ESM loader.
await build({
  ...common,
  entryPoints: { 'kestrel-cert-sidecar': 'sidecar/bin.ts', 'warm-code-cache': 'sidecar/warm.ts' },
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
const linkTo = (bundle, paths) => ({
  name: `link-${bundle}`,
  setup(b) {
    b.onResolve({ filter: paths }, (a) => (a.importer.includes('node_modules') ? undefined : { path: `kcs:${bundle}`, external: true }));
  },
});
await build({ ...program, entryPoints: { core: 'sidecar/core.ts' }, plugins: [builtins, linkTo('probe', /^\.\/probe\.js$/)] });
await build({ ...program, entryPoints: { probe: 'sidecar/probe.ts' }, plugins: [builtins, linkTo('core', /^\.\/findings\.js$/)] });
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
console.log('built dist/kestrel-cert-sidecar.mjs (app/core.cjs, app/probe.cjs, their code caches) and dist/lib/index.mjs');
