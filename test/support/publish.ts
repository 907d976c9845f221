// What the unit tests of publish/ share: a publish through the volume as the pipeline makes it, and a
// small set of files with a known content digest.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nextGeneration } from '../../sidecar/publish/generations.js';
import type { FileSet } from '../../sidecar/publish/layout.js';
import { Volume } from '../../sidecar/publish/volume.js';

/** One publish through the volume, as the pipeline makes it: open and lock, read the live set, write.
 *  `digest` stands for the content: the same one as the live manifest's keeps the live generation. */
export function writeAtomically(dir: string, build: () => FileSet, opts: { now: Date; digest: string }) {
  const volume = Volume.open(dir);
  try {
    if (volume.live.manifest?.contentDigest === opts.digest) return volume.write({ kind: 'live' }, opts.now);
    const generation = nextGeneration(opts.now, volume.live.generation);
    return volume.write({ kind: 'new', generation, files: build() }, opts.now);
  } finally {
    volume.close();
  }
}

export const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-aw-'));

/** tls.crt, tls.key, trust/ca-bundle.crt and a manifest whose content digest is `n`. */
export const set = (n: string, extra: Record<string, string> = {}): FileSet =>
  new Map(
    Object.entries({
      'tls.crt': `cert ${n}`,
      'tls.key': `key ${n}`,
      'trust/ca-bundle.crt': `bundle ${n}`,
      'manifest.json': JSON.stringify({ contentDigest: n }),
      ...extra,
    }).map(([k, v]) => [k, { data: Buffer.from(v), mode: k.endsWith('.key') ? 0o440 : 0o444 }]),
  );

export const t0 = new Date('2026-11-26T12:00:00.000Z');
