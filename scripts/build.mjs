// Bundles the sidecar with esbuild: dist/kestrel-cert-sidecar.mjs (the CLI: an entry point that loads
// the program's bundles from dist/app/, each named by its entry module), dist/publish-worker.mjs,
// dist/warm-code-cache.mjs, and dist/lib/ (the library API and the testcontainers helper). Nothing from
// node_modules is needed at run time.
import { build } from 'esbuild';
import { existsSync, readFileSync, readdirSync, rmSync, chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import tls from 'node:tls';
import { execFileSync } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import path from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// node-forge is CommonJS and calls require('crypto'); ESM output needs a real require for that.
const banner = "const require = process.getBuiltinModule('node:module').createRequire(import.meta.url);";

// Our own `import x from 'node:x'` becomes `process.getBuiltinModule('node:x')`. An ESM import of a
// built-in makes Node build its ESM facade, which reads every export and so loads every lazy part
// of it (node:fs loads the streams, node:util the encoders and worker_threads): measured, `init`
// built without this plugin took +21 ms of CPU (docs/performance.md).
// Only default imports are allowed in sidecar/, so a named one fails the build here. Dependencies
// (chokidar, undici: watch and probe only) keep their ESM imports.
const builtins = {
  name: 'builtins',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) =>
      a.importer.includes('node_modules') ? { path: a.path, external: true } : { path: a.path, namespace: 'builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (a) => ({
      contents: `export default process.getBuiltinModule(${JSON.stringify(a.path)});`,
      loader: 'js',
    }));
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
  define: {
    __VERSION__: JSON.stringify(pkg.version),
    __NODE_ROOTS_FILE__: JSON.stringify('../node-root-certificates.pem'),
  },
  banner: { js: banner },
  logLevel: 'warning',
  plugins: [builtins],
};

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
// The CLI: small ESM entry points with the loader (bin.ts, worker.ts, warm.ts; see loader.ts), and
// the program as CommonJS bundles that the loader runs with V8 code caches, each loaded only by the
// commands that need it. Each file of sidecar/entry/bundles/ is one bundle, named by the file:
//   cli     the command line and the findings             every command
//   engine  the pipeline: node:crypto, node-forge         init, check, each publish of watch
//   watch   chokidar, the health server                   watch (the process that waits)
//   probe   undici                                        probe
//   trust   the trust stores                              trust
// The modules an entry re-exports belong to its bundle; an import of one of them from any other bundle
// becomes `require('kcs:<name>')`, which the loader answers, dynamic imports included, so nothing in a
// bundle needs Node's ESM loader. Moving a file changes no bundle: only an entry's re-exports do.
// Measured against one bundle for every command (dynamic imports still deferring the evaluation):
// `init` took +19 ms of CPU there, deserializing the code of every command (docs/performance.md).
await build({
  ...common,
  entryPoints: {
    'kestrel-cert-sidecar': 'sidecar/entry/bin.ts',
    'publish-worker': 'sidecar/entry/worker.ts',
    'warm-code-cache': 'sidecar/entry/warm.ts',
  },
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
const ENTRIES = 'sidecar/entry/bundles';
const bundles = readdirSync(ENTRIES)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ name: f.slice(0, -3), entry: path.join(ENTRIES, f) }));
/** Module (absolute path, no extension) -> the bundle whose entry re-exports it. */
const owner = new Map();
for (const b of bundles) {
  const text = readFileSync(b.entry, 'utf8');
  for (const m of text.matchAll(/^export (?!type\b)[^;]*? from '([^']+)\.js';$/gm)) {
    const module = path.resolve(path.dirname(b.entry), m[1]);
    if (owner.has(module))
      throw new Error(
        `${path.relative('.', module)}.ts is re-exported by the entries of both ${owner.get(module)} and ${b.name}`,
      );
    owner.set(module, b.name);
  }
}
/** In bundle `self`, imports of another bundle's modules become `require('kcs:<that bundle>')`. */
const links = (self) => ({
  name: 'links',
  setup(b) {
    b.onResolve({ filter: /\.js$/ }, (a) => {
      if (a.importer.includes('node_modules') || !a.path.startsWith('.')) return undefined;
      const bundle = owner.get(path.resolve(a.resolveDir, a.path).replace(/\.js$/, ''));
      return bundle && bundle !== self ? { path: `kcs:${bundle}`, external: true } : undefined;
    });
  },
});
/** Module (sidecar/...) -> the bundles that hold a copy of it. */
const holders = new Map();
for (const { name, entry } of bundles) {
  const { metafile } = await build({
    ...program,
    entryPoints: { [name]: entry },
    plugins: [builtins, links(name)],
    metafile: true,
  });
  for (const input of Object.keys(metafile.inputs))
    if (input.startsWith('sidecar/')) holders.set(input, [...(holders.get(input) ?? []), name]);
  // The loader runs each bundle as one function expression; it is written here, so the loader hands
  // V8 the file's text as it is. The build id heads it: the loader keys its code cache to it (V8
  // itself checks only the length of the source).
  const file = `dist/app/${name}.cjs`;
  const body = `(function (exports, require, module, __bundleUrl) {${readFileSync(file, 'latin1')}\n})`;
  writeFileSync(file, `//# kcs-build ${createHash('sha256').update(body, 'latin1').digest('hex')}\n${body}`, 'latin1');
}
// A module may be copied into several bundles only if two copies cannot be told apart: none that an
// entry re-exports, and none that declares an error class (instanceof across bundles) or module state.
for (const [module, names] of holders) {
  if (names.length < 2) continue;
  const why = owner.has(path.resolve(module).replace(/\.ts$/, ''))
    ? 'an entry re-exports it'
    : /^(export )?(let |(abstract )?class \w+ extends )/m.test(readFileSync(module, 'utf8'))
      ? 'it declares an error class or module state'
      : undefined;
  if (why)
    throw new Error(
      `${module} is in the bundles ${names.join(', ')}, and must be in one (${why}): ` +
        `re-export it from one entry in ${ENTRIES}/, whose bundle the others then reach through kcs:`,
    );
}
mkdirSync('dist/lib', { recursive: true });
writeFileSync('dist/node-root-certificates.pem', `${tls.rootCertificates.join('\n')}\n`);
writeFileSync(
  'dist/node-root-certificates.json',
  JSON.stringify(tls.rootCertificates.map((pem) => new X509Certificate(pem).subject)),
);
await build({
  ...common,
  entryPoints: { index: 'sidecar/index.ts' },
  outdir: 'dist/lib',
  outExtension: { '.js': '.mjs' },
});
// The testcontainers helper: testcontainers stays the harness's own dependency.
if (existsSync('sidecar/testing')) {
  await build({
    ...common,
    entryPoints: { testing: 'sidecar/testing/kestrel-certs-container.ts' },
    outdir: 'dist/lib',
    outExtension: { '.js': '.mjs' },
    external: ['testcontainers'],
  });
}
// Run every command once, so the code caches hold every function a start needs.
execFileSync(process.execPath, ['dist/warm-code-cache.mjs'], { stdio: 'inherit' });
console.log(
  'built dist/kestrel-cert-sidecar.mjs (app/*.cjs and their code caches), ' +
    'dist/publish-worker.mjs and dist/lib/index.mjs',
);
