// Step (9) of the writer (sidecar/publish/tidy.ts) on real directories: what is removed, and when the next
// retired generation is due. test/unit/publish/atomic-writer.test.ts covers one retired generation and one stray.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dir } from '../../../sidecar/publish/dir.js';
import { GRACE_MS, cleanupIn } from '../../../sidecar/publish/tidy.js';
import { set, t0, tmpDir, writeAtomically } from '../../support/publish.js';

const cleanup = (dir: string, now: Date) => Dir.using(dir, (out) => cleanupIn(out, now));
const at = (ms: number) => new Date(t0.getTime() + ms);
const gens = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((n) => /^\.\.\d{4}_/.test(n))
    .sort();

describe('cleanupIn', () => {
  it('removes every generation newer than the live one at once, as strays, not after a grace period', () => {
    const dir = tmpDir();
    const a = writeAtomically(dir, () => set('a'), { now: t0, digest: 'a' });
    for (const stray of ['..2026_11_26_12_00_05.000000', '..2026_11_26_12_00_06.000000']) {
      fs.mkdirSync(path.join(dir, stray));
      fs.writeFileSync(path.join(dir, stray, 'tls.crt'), 'half');
    }
    // The first stray has a later one after it, as a retired generation has: it goes all the same.
    expect(cleanup(dir, at(6000))).toBeUndefined();
    expect(gens(dir)).toEqual([a.generation]);
  });

  it('is next due when the earliest retired generation is, and removes each as its grace period ends', () => {
    const dir = tmpDir();
    const a = writeAtomically(dir, () => set('a'), { now: t0, digest: 'a' });
    const b = writeAtomically(dir, () => set('b'), { now: at(1000), digest: 'b' });
    const c = writeAtomically(dir, () => set('c'), { now: at(3000), digest: 'c' });
    expect(cleanup(dir, at(3000))).toEqual(at(1000 + GRACE_MS));
    expect(gens(dir)).toEqual([a.generation, b.generation, c.generation]);
    expect(cleanup(dir, at(1000 + GRACE_MS))).toEqual(at(3000 + GRACE_MS));
    expect(gens(dir)).toEqual([b.generation, c.generation]);
    expect(cleanup(dir, at(3000 + GRACE_MS))).toBeUndefined();
    expect(gens(dir)).toEqual([c.generation]);
  });

  it("dates a retirement by this machine's clock when the names come from a clock that was ahead", () => {
    // The first set was published with the clock in 2030; the clock went back, and the next set (named after
    // it all the same) retires it now: it is due one grace period from now, not from 2030.
    const dir = tmpDir();
    const a = writeAtomically(dir, () => set('a'), { now: new Date('2030-01-01T00:00:00Z'), digest: 'a' });
    const made = Date.now();
    const b = writeAtomically(dir, () => set('b'), { now: new Date(made), digest: 'b' });
    expect(b.generation > a.generation).toBe(true);
    // Due one grace period after b was made, by the change time of its directory on this machine's clock.
    const changed = fs.lstatSync(path.join(dir, b.generation)).ctimeMs;
    expect(Math.abs(b.cleanupAt!.getTime() - (changed + GRACE_MS))).toBeLessThan(1);
    expect(b.cleanupAt!.getTime()).toBeLessThan(made + GRACE_MS + 60_000);
    expect(cleanup(dir, new Date(made + GRACE_MS + 60_000))).toBeUndefined();
    expect(gens(dir)).toEqual([b.generation]);
  });
});
