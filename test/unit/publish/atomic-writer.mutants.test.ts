// The one writer (sidecar/publish/atomic-writer.ts) on real directories: the names it refuses before
// anything is made, the step a file-system error names, what it repairs, and which links it replaces.
// Written to kill its mutants (docs/testing.md, "Mutation score"); test/unit/atomic-writer.test.ts has the
// writer's own journey.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KcsError } from '../../../sidecar/findings.js';
import { Dir } from '../../../sidecar/publish/dir.js';
import type { FileSet } from '../../../sidecar/publish/layout.js';
import { AtomicWriter, type Payload } from '../../../sidecar/publish/atomic-writer.js';

const G1 = '..2026_11_26_12_00_00.000000';
const G2 = '..2026_11_26_12_00_01.000000';
const now = new Date('2026-11-26T12:00:02.000Z');
const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-writer-'));
const files = (...names: string[]): FileSet =>
  new Map(names.map((n) => [n, { data: Buffer.from(`data of ${n}`), mode: 0o444 }]));
function write(dir: string, payload: Payload, live?: string) {
  return Dir.using(dir, (out) => new AtomicWriter(out, live, {}).write(payload, now));
}
const caught = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('did not throw');
};
const ino = (p: string) => fs.lstatSync(p).ino;

describe('AtomicWriter', () => {
  it.each(['a//b', './a', 'a/.', '../a', 'a/', '/a'])('refuses the name %j before making anything', (rel) => {
    const dir = tmpDir();
    const err = caught(() => write(dir, { kind: 'new', generation: G1, files: files('tls.crt', rel) }));
    expect(err).not.toBeInstanceOf(KcsError);
    expect(err.message).toBe(`refusing to write outside the generation: ${rel}`);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('names the step that failed: creating the generation directory', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, G1), '');
    const err = caught(() => write(dir, { kind: 'new', generation: G1, files: files('tls.crt') })) as KcsError;
    expect(err.finding.message).toBe(`cannot publish to ${dir}: creating a generation directory failed (EEXIST)`);
  });

  it('names the step that failed: writing the files, and removes the half-made generation', () => {
    const dir = tmpDir();
    const err = caught(() => write(dir, { kind: 'new', generation: G1, files: files('a', 'a/b') })) as KcsError;
    expect(err.finding.message).toBe(`cannot publish to ${dir}: writing the files failed (EEXIST)`);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('removes a directory standing at ..data or at a name, and says so in sorted order', () => {
    const dir = tmpDir();
    fs.mkdirSync(path.join(dir, '..data'));
    fs.writeFileSync(path.join(dir, '..data', 'x'), '');
    for (const n of ['b.crt', 'a.crt']) fs.mkdirSync(path.join(dir, n));
    const r = write(dir, { kind: 'new', generation: G1, files: files('b.crt', 'a.crt') });
    expect(r).toEqual({
      changed: true,
      generation: G1,
      repaired: [
        `a.crt was a directory of uid ${process.geteuid!()}, not made by kestrel-cert-sidecar; removed`,
        `b.crt was a directory of uid ${process.geteuid!()}, not made by kestrel-cert-sidecar; removed`,
      ],
    });
    expect(fs.readlinkSync(path.join(dir, '..data'))).toBe(G1);
    expect(fs.readFileSync(path.join(dir, 'a.crt'), 'utf8')).toBe('data of a.crt');
  });

  it('replaces every link for a new generation, so a consumer sees the change', () => {
    const dir = tmpDir();
    write(dir, { kind: 'new', generation: G1, files: files('tls.crt') });
    const before = ino(path.join(dir, 'tls.crt'));
    write(dir, { kind: 'new', generation: G2, files: files('tls.crt') }, G1);
    expect(ino(path.join(dir, 'tls.crt'))).not.toBe(before);
  });

  it('keeps the live generation: its own links stay, a missing one is made and said', () => {
    const dir = tmpDir();
    write(dir, { kind: 'new', generation: G1, files: files('tls.crt', 'tls.key') });
    const before = ino(path.join(dir, 'tls.crt'));
    fs.unlinkSync(path.join(dir, 'tls.key'));
    expect(write(dir, { kind: 'live' }, G1)).toEqual({
      changed: false,
      generation: G1,
      repaired: ['tls.key was missing'],
    });
    expect(ino(path.join(dir, 'tls.crt'))).toBe(before);
    expect(fs.readlinkSync(path.join(dir, 'tls.key'))).toBe('..data/tls.key');
  });

  it('refuses to keep a live generation there is none of, as the bug it is', () => {
    const err = caught(() => write(tmpDir(), { kind: 'live' }));
    expect(err).not.toBeInstanceOf(KcsError);
    expect(err.message).toBe('the plan kept a live generation, and there is none');
  });
});
