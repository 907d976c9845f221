import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileDigest, type FileSet } from '../../../sidecar/publish/layout.js';
import { Volume, keepsLive } from '../../../sidecar/publish/volume.js';
import { set, t0, tmpDir, writeAtomically } from '../../support/publish.js';

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

  it('counts a file the manifest lists and the generation lacks as damaged', () => {
    const dir = tmpDir();
    const { generation } = writeAtomically(dir, () => signed('a'), { now: t0, digest: 'x' });
    const gen = path.join(dir, generation);
    fs.chmodSync(path.join(gen, 'trust'), 0o755);
    fs.unlinkSync(path.join(gen, 'trust', 'ca-bundle.crt'));
    const volume = open(dir);
    expect(volume.live.damaged).toEqual(['trust/ca-bundle.crt']);
    expect(keepsLive(volume.live, 'a')).toBe(false);
  });

  it('names a live link that is not ours first among the problems', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, '..data'), 'not a link');
    expect(open(dir).problems()).toEqual(['..data is not a symlink; replaced by a new generation']);
  });
});
