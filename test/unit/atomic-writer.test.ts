import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GRACE_MS, cleanup, liveGeneration, writeAtomically } from '../../sidecar/publish/atomic-writer.js';
import { KcsError } from '../../sidecar/findings.js';
import type { FileSet } from '../../sidecar/publish/layout.js';

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-aw-'));
const set = (n: string, extra: Record<string, string> = {}): FileSet =>
  new Map(
    Object.entries({ 'tls.crt': `cert ${n}`, 'tls.key': `key ${n}`, 'trust/ca-bundle.crt': `bundle ${n}`, 'manifest.json': JSON.stringify({ contentDigest: n }), ...extra }).map(([k, v]) => [
      k,
      { data: Buffer.from(v), mode: k.endsWith('.key') ? 0o440 : 0o444 },
    ]),
  );
const t0 = new Date('2026-11-26T12:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const gens = (dir: string) => fs.readdirSync(dir).filter((n) => /^\.\.\d{4}_/.test(n)).sort();
const oldUmask = process.umask();
afterEach(() => process.umask(oldUmask));

describe('the atomic writer publishes a whole set at once, as the Kubernetes AtomicWriter does', () => {
  it('links every name through ..data to one generation', () => {
    const dir = tmpDir();
    const r = writeAtomically(dir, () => set('a'), { now: t0, digest: 'a' });
    expect(r.changed).toBe(true);
    expect(fs.readlinkSync(path.join(dir, '..data'))).toBe(r.generation);
    expect(r.generation).toBe('..2026_11_26_12_00_00.000000');
    for (const name of ['tls.crt', 'tls.key', 'trust', 'manifest.json']) expect(fs.readlinkSync(path.join(dir, name))).toBe(`..data/${name}`);
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
    const again = writeAtomically(dir, () => ((built = true), set('a')), { now: at(60_000), digest: 'a' });
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

  it('refuses a hostile path and leaves the live set untouched', () => {
    const dir = tmpDir();
    const a = writeAtomically(dir, () => set('a'), { now: t0, digest: 'a' });
    const hostile: FileSet = new Map([...set('b'), ['../../etc/passwd', { data: Buffer.from('x'), mode: 0o444 }]]);
    expect(() => writeAtomically(dir, () => hostile, { now: at(1000), digest: 'b' })).toThrow(KcsError);
    expect(liveGeneration(dir)).toBe(a.generation);
    expect(gens(dir)).toEqual([a.generation]);
    expect(fs.readFileSync(path.join(dir, 'tls.crt'), 'utf8')).toBe('cert a');
  });

  it('reports OUTPUT_NOT_WRITABLE for a read-only output and keeps the live set', () => {
    if (process.getuid?.() === 0) {
      // root ignores modes; a read-only bind mount is the real case, covered by the CLI tests with a mount.
      const dir = tmpDir();
      const file = path.join(dir, 'not-a-dir');
      fs.writeFileSync(file, 'x');
      try {
        writeAtomically(file, () => set('a'), { now: t0, digest: 'a' });
        expect.unreachable();
      } catch (err) {
        expect((err as KcsError).code).toBe('OUTPUT_NOT_WRITABLE');
        expect((err as KcsError).finding.message).toMatch(/^cannot publish to .*: creating the output directory failed \(EEXIST\)$/);
      }
      return;
    }
    const dir = tmpDir();
    writeAtomically(dir, () => set('a'), { now: t0, digest: 'a' });
    fs.chmodSync(dir, 0o555);
    expect(() => writeAtomically(dir, () => set('b'), { now: at(1000), digest: 'b' })).toThrow(/OUTPUT_NOT_WRITABLE/);
    fs.chmodSync(dir, 0o755);
    expect(fs.readFileSync(path.join(dir, 'tls.crt'), 'utf8')).toBe('cert a');
  });
});

describe('relink', () => {
  it('replaces every top-level link with a fresh one pointing at the same name', async () => {
    const { relink } = await import('../../sidecar/publish/atomic-writer.js');
    const dir = tmpDir();
    writeAtomically(dir, () => set('a'), { now: t0, digest: 'a' });
    const before = fs.lstatSync(path.join(dir, 'tls.crt')).ino;
    relink(dir);
    expect(fs.lstatSync(path.join(dir, 'tls.crt')).ino).not.toBe(before);
    expect(fs.readlinkSync(path.join(dir, 'tls.crt'))).toBe('..data/tls.crt');
    expect(fs.readFileSync(path.join(dir, 'tls.crt'), 'utf8')).toBe('cert a');
  });
});
