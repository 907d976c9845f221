import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KcsError } from '../../../sidecar/findings.js';
import { Dir } from '../../../sidecar/publish/dir.js';
import type { FileSet } from '../../../sidecar/publish/layout.js';
import { readPublished } from '../../../sidecar/publish/published.js';
import { GRACE_MS, cleanupIn } from '../../../sidecar/publish/tidy.js';
import { set, t0, tmpDir, writeAtomically } from '../../support/publish.js';
import { needsRoot } from '../../support/skips.js';

const cleanup = (dir: string, now: Date) => Dir.using(dir, (out) => cleanupIn(out, now));
const liveGeneration = (dir: string) => readPublished(dir, [], true).generation;
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
