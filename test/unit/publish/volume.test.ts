import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileDigest, type FileSet } from '../../../sidecar/publish/layout.js';
import { Volume, keepsLive } from '../../../sidecar/publish/volume.js';
import { set, t0, tmpDir, writeAtomically } from '../../support/publish.js';
import { needsRoot } from '../../support/skips.js';

/** Opens and closes the volume: what it read and found stays. */
const open = (dir: string) => {
  const volume = Volume.open(dir);
  volume.close();
  return volume;
};

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

describe('Volume.open', () => {
  it('names the step that failed: an output under a regular file cannot be created', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'file'), 'x');
    const out = path.join(dir, 'file', 'out');
    expect(() => Volume.open(out)).toThrow(
      expect.objectContaining({
        code: 'OUTPUT_NOT_WRITABLE',
        finding: expect.objectContaining({
          message: `cannot publish to ${out}: creating the output directory failed (ENOTDIR)`,
        }),
      }),
    );
  });

  it('has no finding for an output whose parents only root can write', () => {
    expect(open(tmpDir()).findings).toEqual([]);
  });

  it.runIf(needsRoot('the lock of an output root takes'))(
    'says what it repaired at the lock: a directory there',
    () => {
      const dir = tmpDir();
      fs.mkdirSync(path.join(dir, '..kcs.lock'));
      expect(open(dir).findings).toEqual([
        {
          code: 'OUTPUT_REPAIRED',
          severity: 'warning',
          message: `${dir}: ..kcs.lock was a directory of uid 0, not a lock of this sidecar; removed`,
          hint:
            'nothing: it was replaced; if another container writes this volume, mount it read-only there ' +
            '(docs/threat-model.md)',
          file: dir,
        },
      ]);
    },
  );
});
