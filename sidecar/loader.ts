// Loads the program's bundles (dist/app/*.cjs) with V8 code caches made after the code has run.
//
// Node's own compile cache keeps only the code V8 compiles when a module is loaded; every function
// is compiled lazily, on its first call, and so is compiled again on every start. A start of `init`
// spent ~10 ms doing that. vm.Script.createCachedData(), taken after a run, holds every function
// that ran, so the next start deserializes them instead. `npm run build` (and the image build, with
// the image's own Node) runs each command once and writes the caches; a cache that V8 rejects
// (another Node version) is replaced after the next run, where the directory is writable.
//
// V8 checks a cache against the source's length only, so each cache starts with the SHA-256 of the
// source it was made from, and a cache for other source is never offered to V8.
import crypto from 'node:crypto';
import fs from 'node:fs';
import url from 'node:url';
import vm from 'node:vm';
import module from 'node:module';

export type BundleName = 'core' | 'probe';

interface Loaded {
  exports: Record<string, unknown>;
  script: vm.Script;
  cacheFile: URL;
  hash: Buffer;
  /** True when V8 accepted the cache: nothing to write. */
  cached: boolean;
}

const loaded = new Map<BundleName, Loaded>();
const HEAD = '(function (exports, require, module, __bundleUrl) {';
const TAIL = '\n})';

/** The `require` a bundle sees: `kcs:core` and `kcs:probe` are the other bundles, anything else is Node's. */
function requireFor(file: URL): (id: string) => unknown {
  const nodeRequire = module.createRequire(file);
  return (id) => (id === 'kcs:core' ? load('core') : id === 'kcs:probe' ? load('probe') : nodeRequire(id));
}

export function load(name: BundleName): Record<string, unknown> {
  const done = loaded.get(name);
  if (done) return done.exports;
  const file = new URL(`./app/${name}.cjs`, import.meta.url);
  const cacheFile = new URL(`./app/${name}.v8-cache`, import.meta.url);
  // esbuild writes ASCII only (non-ASCII characters are escaped), so latin1 reads it exactly, and cheaply.
  const source = `${HEAD}${fs.readFileSync(file, 'latin1')}${TAIL}`;
  const hash = crypto.hash('sha256', source, 'buffer') as unknown as Buffer;
  let cachedData: Buffer | undefined;
  try {
    const bytes = fs.readFileSync(cacheFile);
    if (bytes.length > hash.length && bytes.subarray(0, hash.length).equals(hash)) cachedData = bytes.subarray(hash.length);
  } catch {
    // no cache yet
  }
  const script = new vm.Script(source, { filename: url.fileURLToPath(file), ...(cachedData ? { cachedData } : {}) });
  const mod = { exports: {} as Record<string, unknown> };
  const entry: Loaded = { exports: mod.exports, script, cacheFile, hash, cached: cachedData !== undefined && !script.cachedDataRejected };
  loaded.set(name, entry);
  (script.runInThisContext() as (e: unknown, r: unknown, m: unknown, u: string) => void)(mod.exports, requireFor(file), mod, file.href);
  entry.exports = mod.exports;
  return mod.exports;
}

/** Writes the cache of every loaded bundle that had none V8 accepted (or all of them, when training). */
export function saveCodeCaches(all = false): void {
  for (const b of loaded.values()) {
    if (b.cached && !all) continue;
    const tmp = new URL(`${b.cacheFile.href}.${process.pid}.tmp`);
    try {
      fs.writeFileSync(tmp, Buffer.concat([b.hash, b.script.createCachedData()]));
      fs.renameSync(tmp, b.cacheFile);
      b.cached = true;
    } catch {
      // A read-only install runs without a cache; it is only slower to start.
      fs.rmSync(tmp, { force: true });
    }
  }
}
