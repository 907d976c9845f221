// Loads the program's bundles (dist/app/*.cjs) with V8 code caches made after the code has run.
//
// Node's own compile cache (module.enableCompileCache) keeps only the code V8 compiles when a module
// is loaded; every function is compiled lazily, on its first call, and so is compiled again on every
// start. vm.Script.createCachedData(), taken after a run, holds every function that ran, so the next
// start deserializes them instead. Measured (docs/performance.md): against no cache, these caches save
// `init` 20 ms of CPU; Node's compile cache, warm and writable, with the program as plain ES modules
// split by esbuild, 2 ms. And Node's cache is not used at all from a directory it cannot write
// ("Cannot create cache directory: permission denied"), as the image's /app is to uid 1654. `npm run build` (and the
// image build, with
// the image's own Node) runs each command once and writes the caches; a cache that V8 rejects
// (another Node version) is replaced after the next run, where the directory is writable.
//
// V8 checks a cache against the length of the source only. The build writes the SHA-256 of each
// bundle on its first line (`//# kcs-build <hex>`), and a cache is offered to V8 only when it was
// made for that build: a rebuilt bundle never meets an old cache. Nothing here loads node:crypto,
// so `watch`, which waits for days, never does.
import fs from 'node:fs';
import url from 'node:url';
import vm from 'node:vm';

/** A bundle: dist/app/<name>.cjs, built from sidecar/entry/bundles/<name>.ts. */
export type BundleName = string;

interface Loaded {
  exports: Record<string, unknown>;
  script: vm.Script;
  cacheFile: URL;
  build: string;
  /** True when V8 accepted the cache: nothing to write. */
  cached: boolean;
}

const loaded = new Map<BundleName, Loaded>();
const BUILD_LINE = /^\/\/# kcs-build ([0-9a-f]{64})\n/;

/** The `require` a bundle sees: `kcs:<name>` is another bundle, anything else a built-in of Node's
 *  (the bundles hold everything else they use). */
function bundleRequire(id: string): unknown {
  const name = /^kcs:([a-z]+)$/.exec(id)?.[1];
  if (name !== undefined) return load(name);
  const builtin = process.getBuiltinModule(id);
  if (builtin === undefined)
    throw new Error(`the bundle asks for ${id}, which is not a built-in module of Node ${process.version}`);
  return builtin;
}

export function load(name: BundleName): Record<string, unknown> {
  const done = loaded.get(name);
  if (done) return done.exports;
  const file = new URL(`./app/${name}.cjs`, import.meta.url);
  const cacheFile = new URL(`./app/${name}.v8-cache`, import.meta.url);
  // esbuild writes ASCII only (non-ASCII characters are escaped), so latin1 reads it exactly, and cheaply.
  const text = fs.readFileSync(file, 'latin1');
  const build = BUILD_LINE.exec(text)?.[1] ?? '';
  let cachedData: Buffer | undefined;
  try {
    const bytes = fs.readFileSync(cacheFile);
    if (build && bytes.length > 64 && bytes.toString('latin1', 0, 64) === build) cachedData = bytes.subarray(64);
  } catch {
    // no cache yet
  }
  // The file is one function expression, `(function (exports, require, module, __bundleUrl) {...})`.
  const script = new vm.Script(text, { filename: url.fileURLToPath(file), ...(cachedData ? { cachedData } : {}) });
  const mod = { exports: {} as Record<string, unknown> };
  const entry: Loaded = {
    exports: mod.exports,
    script,
    cacheFile,
    build,
    cached: cachedData !== undefined && !script.cachedDataRejected,
  };
  loaded.set(name, entry);
  (script.runInThisContext() as (e: unknown, r: unknown, m: unknown, u: string) => void)(
    mod.exports,
    bundleRequire,
    mod,
    file.href,
  );
  entry.exports = mod.exports;
  return mod.exports;
}

/** Writes the cache of every loaded bundle that had none V8 accepted (or all of them, when training). */
export function saveCodeCaches(all = false): void {
  for (const b of loaded.values()) {
    if ((b.cached && !all) || !b.build) continue;
    const tmp = new URL(`${b.cacheFile.href}.${process.pid}.tmp`);
    try {
      fs.writeFileSync(tmp, Buffer.concat([Buffer.from(b.build, 'latin1'), b.script.createCachedData()]));
      fs.renameSync(tmp, b.cacheFile);
      b.cached = true;
    } catch {
      // A read-only install runs without a cache; it is only slower to start.
      fs.rmSync(tmp, { force: true });
    }
  }
}
