// What the other commands see of the output (sidecar/publish/published.ts), on sets published by the
// real writer in temp dirs: readPublished for the writer and for a reader, the manifest, watch's
// fingerprint of the output, and its tidying under the lock. Written to kill published.ts's mutants
// (docs/testing.md, "Mutation score").
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FileSet } from '../../../sidecar/publish/layout.js';
import { LOCK } from '../../../sidecar/publish/lock.js';
import { outputFingerprint, readManifest, readPublished, tidyOutput } from '../../../sidecar/publish/published.js';
import { GRACE_MS } from '../../../sidecar/publish/tidy.js';
import { generationTime, nextGeneration } from '../../../sidecar/publish/generations.js';
import { Volume } from '../../../sidecar/publish/volume.js';

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-published-'));
const set = (n: string, manifest: unknown = { generation: n, sha256: n, notAfter: n }): FileSet =>
  new Map(
    Object.entries({
      'tls.crt': `cert ${n}`,
      'trust/ca-bundle.crt': `bundle ${n}`,
      'manifest.json': JSON.stringify(manifest),
    }).map(([k, v]) => [k, { data: Buffer.from(v), mode: 0o444 }]),
  );
/** Publishes `files` as generation `gen` through the one writer. */
function publish(dir: string, gen: string, files: FileSet, now = new Date()): void {
  const v = Volume.open(dir);
  try {
    v.write({ kind: 'new', generation: gen, files }, now);
  } finally {
    v.close();
  }
}
const G1 = '..2026_11_26_12_00_00.000000';
const G2 = '..2026_11_26_12_00_01.000000';
const text = (files: Map<string, Buffer>) => Object.fromEntries([...files].map(([k, v]) => [k, v.toString()]));

describe('readPublished', () => {
  it('reads nothing where nothing is published, or no output at all', () => {
    expect(readPublished(path.join(tmpDir(), 'none'), ['tls.crt'])).toEqual({ files: new Map() });
    expect(readPublished(tmpDir(), ['tls.crt'])).toEqual({ files: new Map() });
  });

  it('reads the live generation through ..data, a file in a directory too', () => {
    const dir = tmpDir();
    publish(dir, G1, set('a'));
    const r = readPublished(dir, ['tls.crt', 'trust/ca-bundle.crt', 'missing'], true);
    expect(r.generation).toBe(G1);
    expect(text(r.files)).toEqual({ 'tls.crt': 'cert a', 'trust/ca-bundle.crt': 'bundle a' });
  });

  it.skipIf(process.geteuid?.() !== 0)('reads a generation of another uid for a reader, not for the writer', () => {
    const dir = tmpDir();
    publish(dir, G1, set('a'));
    fs.chownSync(path.join(dir, G1), 4242, 4242);
    expect(readPublished(dir, ['tls.crt']).files.get('tls.crt')?.toString()).toBe('cert a');
    const w = readPublished(dir, ['tls.crt'], true);
    expect(w.files.size).toBe(0);
    expect(w.problem).toBe(`..data points at ${G1}, which belongs to uid 4242, not to this sidecar (uid 0)`);
  });
});

describe('readManifest', () => {
  it('reads the live manifest.json as an object, and nothing else', () => {
    const dir = tmpDir();
    expect(readManifest(dir)).toBeUndefined();
    publish(dir, G1, set('a'));
    expect(readManifest(dir)).toEqual({ generation: 'a', sha256: 'a', notAfter: 'a' });
    publish(dir, G2, set('b', ['not', 'an', 'object']));
    expect(readManifest(dir)).toBeUndefined();
  });
});

describe('outputFingerprint', () => {
  it('says why it cannot read the output', () => {
    expect(outputFingerprint(path.join(tmpDir(), 'none'))).toBe('(ENOENT)');
  });

  it('lists ..data and the top-level names with their targets, then every file of the live generation', () => {
    const dir = tmpDir();
    publish(dir, G1, set('a'));
    fs.writeFileSync(path.join(dir, 'stray'), '');
    const lines = outputFingerprint(dir).split('\n');
    expect(lines.slice(0, 5)).toEqual([
      `..data->${G1}`,
      'manifest.json->..data/manifest.json',
      'stray->(not a link)',
      'tls.crt->..data/tls.crt',
      'trust->..data/trust',
    ]);
    const files = lines.slice(5).map((l) => l.split(':')[0]);
    expect(files).toEqual([`${G1}/manifest.json`, `${G1}/tls.crt`, `${G1}/trust`, 'trust/ca-bundle.crt']);
    const st = fs.lstatSync(path.join(dir, G1, 'tls.crt'));
    expect(lines).toContain(`${G1}/tls.crt:${st.mode}:${st.size}:${st.ino}:${st.ctimeMs}:${st.mtimeMs}`);
  });

  it('changes when a file of the live generation is rewritten in place, and not otherwise', () => {
    const dir = tmpDir();
    publish(dir, G1, set('a'));
    const before = outputFingerprint(dir);
    fs.writeFileSync(path.join(dir, '.hidden'), '');
    expect(outputFingerprint(dir)).toBe(before);
    const f = path.join(dir, G1, 'trust', 'ca-bundle.crt');
    fs.chmodSync(f, 0o644);
    fs.writeFileSync(f, 'other bundle');
    expect(outputFingerprint(dir)).not.toBe(before);
  });
});

describe('tidyOutput', () => {
  it('is busy while another writer holds the lock', () => {
    const dir = tmpDir();
    publish(dir, G1, set('a'));
    fs.writeFileSync(
      path.join(dir, LOCK),
      JSON.stringify({ pid: process.pid, host: os.hostname(), pidns: 'x', since: 'now' }),
    );
    expect(tidyOutput(dir, 'cleanup')).toEqual({ busy: true });
    expect(tidyOutput(dir, 'relink')).toEqual({ busy: true });
  });

  it('relinks every name to where it points, as new links, and releases the lock', () => {
    const dir = tmpDir();
    publish(dir, G1, set('a'));
    const ino = fs.lstatSync(path.join(dir, 'tls.crt')).ino;
    expect(tidyOutput(dir, 'relink')).toEqual({ busy: false });
    expect(fs.readlinkSync(path.join(dir, 'tls.crt'))).toBe('..data/tls.crt');
    expect(fs.lstatSync(path.join(dir, 'tls.crt')).ino).not.toBe(ino);
    expect(fs.existsSync(path.join(dir, LOCK))).toBe(false);
  });

  it('keeps a retired generation for its grace period and says when it is due', () => {
    const dir = tmpDir();
    publish(dir, G1, set('a'));
    const g2 = nextGeneration(new Date(), G1);
    publish(dir, g2, set('b'));
    expect(tidyOutput(dir, 'cleanup')).toEqual({ busy: false, cleanupAt: new Date(generationTime(g2) + GRACE_MS) });
    expect(fs.existsSync(path.join(dir, G1))).toBe(true);
    expect(fs.existsSync(path.join(dir, LOCK))).toBe(false);
  });

  it('removes strays and temporary links, and says nothing is due when nothing is retired', () => {
    const dir = tmpDir();
    publish(dir, G1, set('a'));
    const stray = '..2026_11_26_12_00_05.000000';
    fs.mkdirSync(path.join(dir, stray));
    fs.symlinkSync('..data/tls.crt', path.join(dir, '..tls.crt_tmp'));
    expect(tidyOutput(dir, 'cleanup')).toEqual({ busy: false });
    expect(fs.existsSync(path.join(dir, stray))).toBe(false);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('_tmp'))).toEqual([]);
    expect(readPublished(dir, ['tls.crt']).generation).toBe(G1);
  });
});
