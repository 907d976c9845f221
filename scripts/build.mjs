// Bundles the sidecar with esbuild: dist/kestrel-cert-sidecar.mjs (the CLI) with lazily loaded
// chunks for watch and probe, and dist/lib/index.mjs (the library API). Nothing from node_modules
// is needed at run time.
import { build } from 'esbuild';
import { existsSync, readFileSync, rmSync, chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import tls from 'node:tls';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// node-forge is CommonJS and calls require('crypto'); ESM output needs a real require for that.
const banner = "import { createRequire as __kcsRequire } from 'node:module'; const require = __kcsRequire(import.meta.url);";
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
};

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { 'kestrel-cert-sidecar': 'sidecar/bin.ts' },
  outdir: 'dist',
  splitting: true,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: `#!/usr/bin/env node\n${banner}` },
});
chmodSync('dist/kestrel-cert-sidecar.mjs', 0o755);
mkdirSync('dist/lib', { recursive: true });
writeFileSync('dist/node-root-certificates.pem', `${tls.rootCertificates.join('\n')}\n`);
await build({ ...common, entryPoints: { index: 'sidecar/index.ts' }, outdir: 'dist/lib', outExtension: { '.js': '.mjs' } });
// The testcontainers helper: testcontainers stays the harness's own dependency.
if (existsSync('sidecar/testing')) {
  await build({ ...common, entryPoints: { testing: 'sidecar/testing/kestrel-certs-container.ts' }, outdir: 'dist/lib', outExtension: { '.js': '.mjs' }, external: ['testcontainers'] });
}
console.log('built dist/kestrel-cert-sidecar.mjs and dist/lib/index.mjs');
