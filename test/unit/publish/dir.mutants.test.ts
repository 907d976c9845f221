// The descriptor-held directory (sidecar/publish/dir.ts) on real directories: names that are one path
// component only, entries that are missing or not what was asked, files it will not read, and removal
// that never follows a symlink. Written to kill dir.ts's mutants (docs/testing.md, "Mutation score").
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dir, isPlainName } from '../../../sidecar/publish/dir.js';

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-dir-'));
const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err as NodeJS.ErrnoException;
  }
  throw new Error('did not throw');
};

describe('Dir', () => {
  it('takes one path component as a name, and refuses anything else with EINVAL', () => {
    expect(['a', '..data', '.x', 'a b'].every(isPlainName)).toBe(true);
    expect(['', '.', '..', 'a/b', '/a', 'a\0b'].some(isPlainName)).toBe(false);
    Dir.using(tmpDir(), (d) => {
      const err = errorOf(() => d.at('../etc'));
      expect(err.code).toBe('EINVAL');
      expect(err.message).toBe('refusing a name that is not one path component: "../etc"');
    });
  });

  it('answers undefined for a missing entry or a link that is not one, and throws any other error', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'file'), '');
    fs.symlinkSync('target', path.join(dir, 'link'));
    Dir.using(dir, (d) => {
      expect(d.lstat('none')).toBeUndefined();
      expect(d.lstat('link')?.isSymbolicLink()).toBe(true);
      expect(d.readlink('none')).toBeUndefined();
      expect(d.readlink('file')).toBeUndefined();
      expect(d.readlink('link')).toBe('target');
    });
    const gone = tmpDir();
    Dir.using(gone, (d) => {
      fs.rmdirSync(gone);
      fs.writeFileSync(gone, ''); // the path now names a file: lookups inside fail with ENOENT or ENOTDIR
      expect(d.lstat('x')).toBeUndefined();
    });
    fs.rmSync(gone);
  });

  it('creates a file only where nothing stands, with the mode exactly', () => {
    const dir = tmpDir();
    const old = process.umask(0o077);
    try {
      Dir.using(dir, (d) => {
        d.writeFile('a', Buffer.from('x'.repeat(70_000)), 0o444);
        expect(errorOf(() => d.writeFile('a', Buffer.from('y'), 0o444)).code).toBe('EEXIST');
      });
    } finally {
      process.umask(old);
    }
    expect(fs.statSync(path.join(dir, 'a')).mode & 0o777).toBe(0o444);
    expect(fs.readFileSync(path.join(dir, 'a'), 'utf8')).toBe('x'.repeat(70_000));
  });

  it('reads a plain file of one link within its size limit, and nothing else', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'f'), 'data');
    fs.writeFileSync(path.join(dir, 'two'), 'data');
    fs.linkSync(path.join(dir, 'two'), path.join(dir, 'two-b'));
    fs.symlinkSync('f', path.join(dir, 'link'));
    fs.mkdirSync(path.join(dir, 'sub'));
    Dir.using(dir, (d) => {
      expect(d.readFile('f', 4)?.toString()).toBe('data');
      expect(d.readFile('f', 3)).toBeUndefined();
      expect(d.readFile('two', 100)).toBeUndefined();
      expect(d.readFile('link', 100)).toBeUndefined();
      expect(d.readFile('sub', 100)).toBeUndefined();
      expect(d.readFile('none', 100)).toBeUndefined();
    });
  });

  it('opens a child directory but not a symlink or a file in its place', () => {
    const dir = tmpDir();
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.symlinkSync('sub', path.join(dir, 'link'));
    fs.writeFileSync(path.join(dir, 'file'), '');
    Dir.using(dir, (d) => {
      const sub = d.openDir('sub');
      expect(sub.shown).toBe(`${dir}/sub`);
      sub.close();
      // Linux answers ENOTDIR to O_DIRECTORY | O_NOFOLLOW on a symlink (ELOOP without O_DIRECTORY).
      expect(errorOf(() => d.openDir('link')).code).toMatch(/^(ELOOP|ENOTDIR)$/);
      expect(errorOf(() => d.openDir('file')).code).toBe('ENOTDIR');
    });
  });

  it('removes a tree of read-only directories, and a symlink without following it', () => {
    const dir = tmpDir();
    const outside = tmpDir();
    fs.writeFileSync(path.join(outside, 'keep'), '');
    fs.mkdirSync(path.join(dir, 'g/sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'g/sub/f'), '');
    fs.symlinkSync(outside, path.join(dir, 'g/out'));
    fs.chmodSync(path.join(dir, 'g/sub'), 0o555);
    fs.chmodSync(path.join(dir, 'g'), 0o555);
    fs.symlinkSync(outside, path.join(dir, 'top-link'));
    Dir.using(dir, (d) => {
      d.remove('g');
      d.remove('top-link');
      d.remove('none');
    });
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(fs.readdirSync(outside)).toEqual(['keep']);
  });

  it('follows a symlink given as the output itself, and says where it is', () => {
    const dir = tmpDir();
    const link = `${dir}-link`;
    fs.symlinkSync(dir, link);
    expect(errorOf(() => Dir.open(link)).code).toMatch(/^(ELOOP|ENOTDIR)$/);
    expect(Dir.using(link, (d) => [d.shown, d.realPath()])).toEqual([link, fs.realpathSync(dir)]);
    expect(Dir.tryUsing(path.join(dir, 'none'), () => 1)).toBeUndefined();
    expect(Dir.tryUsing(link, (d) => d.readdir())).toEqual([]);
  });
});
