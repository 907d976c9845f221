// What is live (sidecar/publish/live-set.ts, live.ts): ..data proven a sidecar's generation, or the reason
// it is not, and the files read through it. On real directories in temp dirs, sets published by the one
// writer. Written to kill their mutants (docs/testing.md, "Mutation score").
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dir } from '../../../sidecar/publish/dir.js';
import type { FileSet } from '../../../sidecar/publish/layout.js';
import { readLive } from '../../../sidecar/publish/live.js';
import { parseManifest, proveLive, readFrom, readIn } from '../../../sidecar/publish/live-set.js';
import { Volume } from '../../../sidecar/publish/volume.js';
import { readFixture } from '../../support/helpers.js';

const G1 = '..2026_11_26_12_00_00.000000';
const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-live-'));
const prove = (dir: string, owner: number | 'any' = process.geteuid!()) =>
  Dir.using(dir, (out) => proveLive(out, owner));
function publish(dir: string, entries: Record<string, string | Buffer>): void {
  const files: FileSet = new Map(Object.entries(entries).map(([k, v]) => [k, { data: Buffer.from(v), mode: 0o444 }]));
  const v = Volume.open(dir);
  try {
    v.write({ kind: 'new', generation: G1, files }, new Date());
  } finally {
    v.close();
  }
}

describe('proveLive', () => {
  it('finds nothing where ..data is missing', () => {
    expect(prove(tmpDir())).toEqual({});
  });

  it('proves a generation of ours', () => {
    const dir = tmpDir();
    publish(dir, { 'tls.crt': 'a' });
    expect(prove(dir)).toEqual({ generation: G1 });
    expect(prove(dir, 'any')).toEqual({ generation: G1 });
  });

  it.each([
    ['a directory', (dir: string) => fs.mkdirSync(path.join(dir, '..data')), '..data is not a symlink'],
    [
      'a link to another name',
      (dir: string) => fs.symlinkSync('/etc', path.join(dir, '..data')),
      '..data points at "/etc", which is not a generation of ours',
    ],
    [
      'a link to a missing generation',
      (dir: string) => fs.symlinkSync(G1, path.join(dir, '..data')),
      `..data points at ${G1}, which does not exist`,
    ],
    [
      'a link to a file',
      (dir: string) => {
        fs.writeFileSync(path.join(dir, G1), '');
        fs.symlinkSync(G1, path.join(dir, '..data'));
      },
      `..data points at ${G1}, which is not a directory`,
    ],
  ])('says why %s is no live set', (_what, make, problem) => {
    const dir = tmpDir();
    make(dir);
    expect(prove(dir)).toEqual({ problem });
    expect(Dir.using(dir, (out) => readFrom(out, ['tls.crt']))).toEqual({ files: new Map(), problem });
  });

  it('names the uid of a generation that is not ours, for the writer only', () => {
    const dir = tmpDir();
    publish(dir, { 'tls.crt': 'a' });
    const me = process.geteuid!();
    expect(prove(dir, me + 1)).toEqual({
      problem: `..data points at ${G1}, which belongs to uid ${me}, not to this sidecar (uid ${me + 1})`,
    });
  });
});

describe('readFrom and readIn', () => {
  it('reads files of the live generation, in directories too, and nothing that is not a plain file there', () => {
    const dir = tmpDir();
    publish(dir, { 'tls.crt': 'cert', 'trust/ca-bundle.crt': 'bundle', 'trust/certs/x.pem': 'x' });
    fs.chmodSync(path.join(dir, G1), 0o755);
    fs.symlinkSync('tls.crt', path.join(dir, G1, 'link'));
    const r = Dir.using(dir, (out) =>
      readFrom(out, ['tls.crt', 'trust/ca-bundle.crt', 'trust/certs/x.pem', 'link', 'tls.crt/x', 'none/x']),
    );
    expect(r.generation).toBe(G1);
    expect(Object.fromEntries([...r.files].map(([k, v]) => [k, v.toString()]))).toEqual({
      'tls.crt': 'cert',
      'trust/ca-bundle.crt': 'bundle',
      'trust/certs/x.pem': 'x',
    });
    expect(Dir.using(path.join(dir, G1), (g) => readIn(g, 'trust/ca-bundle.crt'))?.toString()).toBe('bundle');
  });

  it.skipIf(process.geteuid?.() === 0)('says when the generation cannot be opened', () => {
    const dir = tmpDir();
    publish(dir, { 'tls.crt': 'a' });
    fs.chmodSync(path.join(dir, G1), 0);
    expect(Dir.using(dir, (out) => readFrom(out, ['tls.crt'])).problem).toBe(
      `..data points at ${G1}, which cannot be opened`,
    );
  });
});

describe('parseManifest', () => {
  it('takes a JSON object and nothing else', () => {
    expect(parseManifest(undefined)).toBeUndefined();
    expect(parseManifest(Buffer.from('{"sha256":"x"}'))).toEqual({ sha256: 'x' });
    expect(parseManifest(Buffer.from('[1]'))).toBeUndefined();
    expect(parseManifest(Buffer.from('null'))).toBeUndefined();
    expect(parseManifest(Buffer.from('"text"'))).toBeUndefined();
    expect(parseManifest(Buffer.from('{'))).toBeUndefined();
  });
});

describe('readLive', () => {
  it('reads the certificate, key and generated password of the live set, skipping what does not parse', () => {
    const dir = tmpDir();
    expect(readLive(dir)).toStrictEqual({});
    publish(dir, {
      'tls.crt': readFixture('rsa2048.crt'),
      'tls.key': readFixture('rsa2048.key'),
      'cert.password': 'generated-pw',
    });
    const live = readLive(dir);
    expect(live.cert?.subject).toBe('CN=rsa2048');
    expect(live.key?.asymmetricKeyType).toBe('rsa');
    expect(live.generatedPassword).toBe('generated-pw');
    const other = tmpDir();
    publish(other, { 'tls.crt': 'not a certificate', 'tls.key': 'not a key', 'cert.password': '' });
    // Strict: a property set to undefined (`cert: undefined`) is not the same as none.
    expect(readLive(other)).toStrictEqual({});
  });
});
