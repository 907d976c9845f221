// The user-visible names and their atomic replacement (sidecar/publish/links.ts), on real directories:
// what is repaired and how it is said. Written to kill links.ts's mutants (docs/testing.md, "Mutation
// score").
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dir } from '../../../sidecar/publish/dir.js';
import { atomicSymlink, clearNames, linkNames, relinkIn } from '../../../sidecar/publish/links.js';

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-links-'));
const inDir = <T>(dir: string, fn: (out: Dir) => T) => Dir.using(dir, fn);
const me = () => process.geteuid!();

describe('atomicSymlink', () => {
  it('replaces what stands at the name and at its temporary name', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'tls.crt'), 'file');
    fs.mkdirSync(path.join(dir, '..tls.crt_tmp'));
    inDir(dir, (out) => atomicSymlink(out, 'tls.crt', '..data/tls.crt'));
    expect(fs.readlinkSync(path.join(dir, 'tls.crt'))).toBe('..data/tls.crt');
    expect(fs.readdirSync(dir)).toEqual(['tls.crt']);
    inDir(dir, (out) => atomicSymlink(out, '..data', '..gen'));
    expect(fs.readlinkSync(path.join(dir, '..data'))).toBe('..gen');
    expect(fs.readdirSync(dir).sort()).toEqual(['..data', 'tls.crt']);
  });

  it('removes its temporary link when the rename fails', () => {
    const dir = tmpDir();
    fs.mkdirSync(path.join(dir, 'tls.crt'));
    fs.writeFileSync(path.join(dir, 'tls.crt', 'x'), '');
    expect(() => inDir(dir, (out) => atomicSymlink(out, 'tls.crt', '..data/tls.crt'))).toThrow(/EISDIR|ENOTEMPTY/);
    expect(fs.readdirSync(dir)).toEqual(['tls.crt']);
  });
});

describe('clearNames', () => {
  it('removes a directory standing at a name, says whose it was, and leaves files and links', () => {
    const dir = tmpDir();
    fs.mkdirSync(path.join(dir, 'tls.crt'));
    fs.writeFileSync(path.join(dir, 'tls.key'), '');
    expect(inDir(dir, (out) => clearNames(out, ['tls.crt', 'tls.key', 'none']))).toEqual([
      `tls.crt was a directory of uid ${me()}, not made by kestrel-cert-sidecar; removed`,
    ]);
    expect(fs.readdirSync(dir)).toEqual(['tls.key']);
  });
});

describe('linkNames', () => {
  it('links every name, saying what it repaired: missing, a file, a directory, a foreign symlink', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'a'), '');
    fs.mkdirSync(path.join(dir, 'b'));
    fs.symlinkSync('/etc/passwd', path.join(dir, 'c'));
    fs.symlinkSync('..data/d', path.join(dir, 'd'));
    const repaired = inDir(dir, (out) => linkNames(out, ['a', 'b', 'c', 'd', 'e'], false));
    expect(repaired).toEqual([
      'a was a file not made by kestrel-cert-sidecar',
      'b was a directory not made by kestrel-cert-sidecar',
      'c was a symlink to "/etc/passwd", not made by kestrel-cert-sidecar',
      'e was missing',
    ]);
    for (const n of ['a', 'b', 'c', 'd', 'e']) expect(fs.readlinkSync(path.join(dir, n))).toBe(`..data/${n}`);
  });

  it('replaces even its own links when fresh, without calling them repaired, and removes links to old names', () => {
    const dir = tmpDir();
    fs.symlinkSync('..data/a', path.join(dir, 'a'));
    fs.symlinkSync('..data/old', path.join(dir, 'old'));
    fs.symlinkSync('/etc/passwd', path.join(dir, 'foreign'));
    fs.writeFileSync(path.join(dir, '.hidden'), '');
    const ino = fs.lstatSync(path.join(dir, 'a')).ino;
    expect(inDir(dir, (out) => linkNames(out, ['a', 'new'], true))).toEqual([]);
    expect(fs.lstatSync(path.join(dir, 'a')).ino).not.toBe(ino);
    expect(fs.readdirSync(dir).sort()).toEqual(['.hidden', 'a', 'foreign', 'new']);
  });

  it('leaves its own links as they are when not fresh', () => {
    const dir = tmpDir();
    fs.symlinkSync('..data/a', path.join(dir, 'a'));
    const ino = fs.lstatSync(path.join(dir, 'a')).ino;
    expect(inDir(dir, (out) => linkNames(out, ['a'], false))).toEqual([]);
    expect(fs.lstatSync(path.join(dir, 'a')).ino).toBe(ino);
  });
});

describe('relinkIn', () => {
  it('replaces each of its own links with a new one to the same place, and nothing else', () => {
    const dir = tmpDir();
    fs.symlinkSync('..data/a', path.join(dir, 'a'));
    fs.symlinkSync('/etc/passwd', path.join(dir, 'b'));
    fs.symlinkSync('..gen', path.join(dir, '..data'));
    const ino = (n: string) => fs.lstatSync(path.join(dir, n)).ino;
    const before = { a: ino('a'), b: ino('b'), data: ino('..data') };
    inDir(dir, relinkIn);
    expect({ a: ino('a') === before.a, b: ino('b') === before.b, data: ino('..data') === before.data }).toEqual({
      a: false,
      b: true,
      data: true,
    });
    expect(fs.readlinkSync(path.join(dir, 'a'))).toBe('..data/a');
  });
});
