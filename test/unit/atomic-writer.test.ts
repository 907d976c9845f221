import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KcsError } from '../../sidecar/findings.js';
import { Dir } from '../../sidecar/publish/dir.js';
import { nextGeneration } from '../../sidecar/publish/generations.js';
import { fileDigest, type FileSet } from '../../sidecar/publish/layout.js';
import { readPublished, tidyOutput } from '../../sidecar/publish/published.js';
import { GRACE_MS, cleanupIn } from '../../sidecar/publish/tidy.js';
import { Volume, keepsLive } from '../../sidecar/publish/volume.js';
import { needsRoot } from '../support/skips.js';

/** One publish through the volume, as the pipeline makes it: open and lock, read the live set, write.
 *  `digest` stands for the content: the same one as the live manifest's keeps the live generation. */
function writeAtomically(dir: string, build: () => FileSet, opts: { now: Date; digest: string }) {
  const volume = Volume.open(dir);
  try {
    if (volume.live.manifest?.contentDigest === opts.digest) return volume.write({ kind: 'live' }, opts.now);
    const generation = nextGeneration(opts.now, volume.live.generation);
    return volume.write({ kind: 'new', generation, files: build() }, opts.now);
  } finally {
    volume.close();
  }
}
const cleanup = (dir: string, now: Date) => Dir.using(dir, (out) => cleanupIn(out, now));
const liveGeneration = (dir: string) => readPublished(dir, [], true).generation;

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-aw-'));
const set = (n: string, extra: Record<string, string> = {}): FileSet =>
  new Map(
    Object.entries({
      'tls.crt': `cert ${n}`,
      'tls.key': `key ${n}`,
      'trust/ca-bundle.crt': `bundle ${n}`,
      'manifest.json': JSON.stringify({ contentDigest: n }),
      ...extra,
    }).map(([k, v]) => [k, { data: Buffer.from(v), mode: k.endsWith('.key') ? 0o440 : 0o444 }]),
  );
const t0 = new Date('2026-11-26T12:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const gens = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((n) => /^\.\.\d{4}_/.test(n))
    .sort();
const oldUmask = process.umask();
afterEach(() => process.umask(oldUmask));

describe('the atomic writer publishes a whole set at once, as the Kubernetes AtomicWriter does', () => {
  it('links every name through ..data to one generation', () => {
    const dir = tmpDir();
    const r = writeAtomically(dir, () => set('a'), { now: t0, digest: 'a' });
    expect(r.changed).toBe(true);
    expect(fs.readlinkSync(path.join(dir, '..data'))).toBe(r.generation);
    expect(r.generation).toBe('..2026_11_26_12_00_00.000000');
    for (const name of ['tls.crt', 'tls.key', 'trust', 'manifest.json'])
      expect(fs.readlinkSync(path.join(dir, name))).toBe(`..data/${name}`);
    expect(fs.readFileSync(path.join(dir, 'tls.crt'), 'utf8')).toBe('cert a');
    expect(fs.readFileSync(path.join(dir, 'trust/ca-bundle.crt'), 'utf8')).toBe('bundle a');
  });

  it.each([0o000, 0o022, 0o077, 0o777])('sets modes 0440, 0444 and 0555 exactly under umask %o', (umask) => {
    process.umask(umask);
    const dir = tmpDir();
    const { generation } = writeAtomically(dir, () => set('a'), { now: t0, digest: 'a' });
    const mode = (p: string) => fs.statSync(path.join(dir, generation, p)).mode & 0o777;
    expect(mode('tls.key')).toBe(0o440);
    expect(mode('tls.crt')).toBe(0o444);
    expect(mode('trust')).toBe(0o555);
    expect(mode('.')).toBe(0o555);
  });

  it('does not republish unchanged content, so Kestrel is not made to reload', () => {
    const dir = tmpDir();
    const first = writeAtomically(dir, () => set('a'), { now: t0, digest: 'a' });
    let built = false;
    const again = writeAtomically(
      dir,
      () => {
        built = true;
        return set('a');
      },
      { now: at(60_000), digest: 'a' },
    );
    expect(again).toMatchObject({ changed: false, generation: first.generation });
    expect(built).toBe(false);
    expect(gens(dir)).toEqual([first.generation]);
  });

  it('keeps the previous generation for the grace period, then removes it', () => {
    const dir = tmpDir();
    const a = writeAtomically(dir, () => set('a'), { now: t0, digest: 'a' });
    const b = writeAtomically(dir, () => set('b'), { now: at(1000), digest: 'b' });
    expect(gens(dir)).toEqual([a.generation, b.generation]);
    expect(b.cleanupAt).toEqual(at(1000 + GRACE_MS));
    expect(cleanup(dir, at(1000 + GRACE_MS - 1))).toEqual(at(1000 + GRACE_MS));
    expect(gens(dir)).toEqual([a.generation, b.generation]);
    cleanup(dir, at(1000 + GRACE_MS));
    expect(gens(dir)).toEqual([b.generation]);
  });

  it('removes a generation left behind by a publisher that was killed before the swap', () => {
    const dir = tmpDir();
    const a = writeAtomically(dir, () => set('a'), { now: t0, digest: 'a' });
    const stray = path.join(dir, '..2026_11_26_12_00_05.000000');
    fs.mkdirSync(stray);
    fs.writeFileSync(path.join(stray, 'tls.crt'), 'half');
    fs.symlinkSync('..2026_11_26_12_00_05.000000', path.join(dir, '..data_tmp'));
    cleanup(dir, at(6000));
    expect(gens(dir)).toEqual([a.generation]);
    expect(fs.existsSync(path.join(dir, '..data_tmp'))).toBe(false);
    expect(liveGeneration(dir)).toBe(a.generation);
  });

  it('removes the names a new generation no longer has', () => {
    const dir = tmpDir();
    writeAtomically(dir, () => set('a', { 'cert.password': 'pw' }), { now: t0, digest: 'a' });
    expect(fs.existsSync(path.join(dir, 'cert.password'))).toBe(true);
    writeAtomically(dir, () => set('b'), { now: at(1000), digest: 'b' });
    expect(fs.existsSync(path.join(dir, 'cert.password'))).toBe(false);
    expect(fs.lstatSync(path.join(dir, 'tls.crt')).isSymbolicLink()).toBe(true);
  });

  it('gives a later name when the clock went backwards', () => {
    const dir = tmpDir();
    const a = writeAtomically(dir, () => set('a'), { now: t0, digest: 'a' });
    const b = writeAtomically(dir, () => set('b'), { now: at(-60_000), digest: 'b' });
    expect(b.generation > a.generation).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'tls.crt'), 'utf8')).toBe('cert b');
  });

  it('refuses a name that leaves the generation before creating anything, as the bug it is', () => {
    const dir = tmpDir();
    const a = writeAtomically(dir, () => set('a'), { now: t0, digest: 'a' });
    const before = fs.readdirSync(dir).sort();
    // A nested name whose parents do not exist: only the guard, run before any directory is made, stops it.
    const hostile: FileSet = new Map([...set('b'), ['sub/../../../escaped', { data: Buffer.from('x'), mode: 0o444 }]]);
    let error: unknown;
    try {
      writeAtomically(dir, () => hostile, { now: at(1000), digest: 'b' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(KcsError);
    expect((error as Error).message).toBe('refusing to write outside the generation: sub/../../../escaped');
    expect(fs.readdirSync(dir).sort()).toEqual(before); // no generation directory was made, not even a partial one
    expect(liveGeneration(dir)).toBe(a.generation);
    expect(fs.readFileSync(path.join(dir, 'tls.crt'), 'utf8')).toBe('cert a');
    expect(fs.existsSync(path.join(path.dirname(dir), 'escaped'))).toBe(false);
  });

  it.runIf(process.getuid?.() !== 0)(
    'reports OUTPUT_NOT_WRITABLE for an output it may not write (not root: modes apply) and keeps the live set',
    () => {
      const dir = tmpDir();
      writeAtomically(dir, () => set('a'), { now: t0, digest: 'a' });
      fs.chmodSync(dir, 0o555);
      expect(() => writeAtomically(dir, () => set('b'), { now: at(1000), digest: 'b' })).toThrow(/OUTPUT_NOT_WRITABLE/);
      fs.chmodSync(dir, 0o755);
      expect(fs.readFileSync(path.join(dir, 'tls.crt'), 'utf8')).toBe('cert a');
    },
  );

  it.runIf(needsRoot('a volume remounted read-only under the writer'))(
    'reports OUTPUT_NOT_WRITABLE for a volume remounted read-only (as root, modes do not apply) and keeps the live set',
    () => {
      const dir = tmpDir();
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir]);
      try {
        const a = writeAtomically(dir, () => set('a'), { now: t0, digest: 'a' });
        execFileSync('mount', ['-o', 'remount,ro', dir]);
        let error: unknown;
        try {
          writeAtomically(dir, () => set('b'), { now: at(1000), digest: 'b' });
        } catch (err) {
          error = err;
        }
        expect((error as KcsError).code).toBe('OUTPUT_NOT_WRITABLE');
        expect((error as KcsError).finding.message).toMatch(/EROFS/);
        expect(liveGeneration(dir)).toBe(a.generation);
        expect(fs.readFileSync(path.join(dir, 'tls.crt'), 'utf8')).toBe('cert a');
      } finally {
        execFileSync('umount', [dir]);
      }
    },
  );
});

describe('relink', () => {
  it('replaces every top-level link with a fresh one pointing at the same name', () => {
    const dir = tmpDir();
    writeAtomically(dir, () => set('a'), { now: t0, digest: 'a' });
    const before = fs.lstatSync(path.join(dir, 'tls.crt')).ino;
    expect(tidyOutput(dir, 'relink')).toEqual({ busy: false });
    expect(fs.lstatSync(path.join(dir, 'tls.crt')).ino).not.toBe(before);
    expect(fs.readlinkSync(path.join(dir, 'tls.crt'))).toBe('..data/tls.crt');
    expect(fs.readFileSync(path.join(dir, 'tls.crt'), 'utf8')).toBe('cert a');
  });
});

describe('the live set is read once, and "current" means its files match the manifest', () => {
  /** A set whose manifest holds the digests, as layout.ts writes them. */
  const signed = (n: string): FileSet => {
    const files = set(n);
    files.delete('manifest.json');
    const key = files.get('tls.key')!.data;
    const digests = Object.fromEntries([...files].map(([k, f]) => [k, fileDigest(key, f.data)]));
    const manifest = Buffer.from(JSON.stringify({ contentDigest: n, digests }));
    return files.set('manifest.json', { data: manifest, mode: 0o444 });
  };
  const open = (dir: string) => {
    const volume = Volume.open(dir);
    volume.close();
    return volume;
  };

  it('keeps an intact live generation, and sees a file rewritten in place', () => {
    const dir = tmpDir();
    const { generation } = writeAtomically(dir, () => signed('a'), { now: t0, digest: 'x' });
    expect(open(dir).live.damaged).toEqual([]);
    expect(keepsLive(open(dir).live, 'a')).toBe(true);
    expect(keepsLive(open(dir).live, 'b')).toBe(false);
    const file = path.join(dir, generation, 'trust', 'ca-bundle.crt');
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(file, 'bundle evil');
    const volume = open(dir);
    expect(volume.live.damaged).toEqual(['trust/ca-bundle.crt']);
    expect(keepsLive(volume.live, 'a')).toBe(false);
    expect(volume.problems()).toEqual([
      `trust/ca-bundle.crt in ${generation} does not match its digest in manifest.json: ` +
        'it was changed after it was published; replaced by a new generation',
    ]);
  });

  it('does not keep a live generation whose manifest has no digests (an earlier version wrote it)', () => {
    const dir = tmpDir();
    writeAtomically(dir, () => set('a'), { now: t0, digest: 'x' });
    expect(keepsLive(open(dir).live, 'a')).toBe(false);
  });
});
