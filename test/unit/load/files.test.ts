// The one reader of input files (sidecar/load/files.ts) on real files in temp dirs: the kinds of file it
// will not read (a directory, a FIFO, a device, a socket, an empty file, a file over the size limit), the
// links it will not follow out of the source (and certbot's archive/ it will), the errors of the file
// system in the finding a user reads, and inFile's `cannot open <file>: ` in front of a parser's finding.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type KcsError, raise, type Message } from '../../../sidecar/findings.js';
import { MAX_INPUT_BYTES } from '../../../sidecar/limits.js';
import { inFile, ioError, readInput, sourceRoots } from '../../../sidecar/load/files.js';
import { messages } from '../../../sidecar/messages/index.js';
import { failure, fixture } from '../../support/helpers.js';
import { needs, needsRoot } from '../../support/skips.js';

/** A file of this machine the test reads: a skip through needs() (so CI fails on it) where it is missing. */
const machineHas = (suite: string, file: string, ok: (st: fs.Stats) => boolean = () => true) => {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  const enable = 'run the tests on a Linux host or VM with sysfs and loop devices (not in a container)';
  return needs(suite, st && ok(st) ? undefined : `${file} is not here`, enable);
};
/** Why device nodes cannot be opened in the temp dir: its file system is mounted nodev (open(2) then gives
 *  EACCES, whatever the device). */
function tmpNodev(): string | undefined {
  const tmp = fs.realpathSync(os.tmpdir());
  const mounts = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f.length > 5 && (tmp === f[4] || tmp.startsWith(f[4] === '/' ? '/' : `${f[4]}/`)))
    .sort((a, b) => b[4]!.length - a[4]!.length);
  return mounts[0]?.[5]?.split(',').includes('nodev') ? `${tmp} is mounted nodev` : undefined;
}

const tmp = () => fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-files-')));
/** The finding `m` raised about `file`, as readInput throws it. */
const expected = (m: Message, file: string) => raise(m, file).finding;
const refusal = (fn: () => unknown) => failure(fn).finding;
/** A real error of the file system, as node:fs throws it. */
function fsError(fn: () => unknown): NodeJS.ErrnoException {
  try {
    fn();
  } catch (err) {
    return err as NodeJS.ErrnoException;
  }
  throw new Error('expected the file system to refuse');
}

describe('readInput reads a regular file', () => {
  it('whole, inside the source directory given by name (a symlink to it too) or by its roots', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'tls.crt'), 'certificate');
    fs.symlinkSync(dir, path.join(dir, '..', `${path.basename(dir)}-link`));
    const link = `${dir}-link`;
    expect(readInput(path.join(dir, 'tls.crt')).toString()).toBe('certificate');
    expect(readInput(path.join(dir, 'tls.crt'), dir).toString()).toBe('certificate');
    expect(readInput(path.join(link, 'tls.crt'), link).toString()).toBe('certificate');
    expect(readInput(path.join(dir, 'tls.crt'), [dir]).toString()).toBe('certificate');
    expect(readInput(path.join(dir, 'tls.crt'), ['/nowhere', dir]).toString()).toBe('certificate');
  });

  it("through a Kubernetes secret's ..data links, which stay inside the source", () => {
    const source = fixture('k8s-secret');
    expect(readInput(path.join(source, 'tls.crt'), source).toString()).toContain('BEGIN CERTIFICATE');
  });

  it(`of exactly ${MAX_INPUT_BYTES} bytes, and refuses one byte more with FILE_TOO_LARGE`, () => {
    const dir = tmp();
    const file = path.join(dir, 'big.pem');
    fs.writeFileSync(file, Buffer.alloc(MAX_INPUT_BYTES, 0x41));
    expect(readInput(file).length).toBe(MAX_INPUT_BYTES);
    fs.appendFileSync(file, 'A');
    const f = refusal(() => readInput(file));
    expect(f).toEqual(
      expected(messages.FILE_TOO_LARGE.file({ file, size: MAX_INPUT_BYTES + 1, limit: MAX_INPUT_BYTES }), file),
    );
    expect(f.message).toBe(`cannot read ${file}: it is 1,025 KiB, more than the 1,024 KiB a certificate file can need`);
  });

  it('only its first maxBytes when asked, whatever its size, and an empty one then', () => {
    const dir = tmp();
    const big = path.join(dir, 'big.pem');
    fs.writeFileSync(big, Buffer.alloc(MAX_INPUT_BYTES + 10, 0x41));
    expect(readInput(big, dir, { maxBytes: 16 }).toString()).toBe('A'.repeat(16));
    const small = path.join(dir, 'small.pem');
    fs.writeFileSync(small, 'abc');
    expect(readInput(small, dir, { maxBytes: 16 }).toString()).toBe('abc');
    const empty = path.join(dir, 'empty.pem');
    fs.writeFileSync(empty, '');
    expect(readInput(empty, dir, { maxBytes: 16 }).length).toBe(0);
  });

  it('refuses an empty file with FILE_CORRUPT, unless empty is allowed', () => {
    const dir = tmp();
    const file = path.join(dir, 'tls.crt');
    fs.writeFileSync(file, '');
    const f = refusal(() => readInput(file, dir));
    expect(f).toEqual(expected(messages.FILE_CORRUPT.empty({ file }), file));
    expect(f.message).toBe(`cannot read ${file}: the file is empty`);
    expect(readInput(file, dir, { allowEmpty: true }).length).toBe(0);
    expect(readInput(file, dir, { allowEmpty: false, maxBytes: 4 }).length).toBe(0);
  });
});

describe('readInput refuses what is not a regular file, saying what it is', () => {
  const notRegular = (file: string, kind: string) =>
    expected(messages.SOURCE_UNREADABLE.notRegular({ file, kind }), file);

  it('a directory', () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'tls.crt'));
    const file = path.join(dir, 'tls.crt');
    const f = refusal(() => readInput(file, dir));
    expect(f).toEqual(notRegular(file, 'a directory'));
    expect(f.message).toBe(`cannot read ${file}: it is a directory, not a regular file`);
  });

  it('a FIFO, without waiting for a writer', () => {
    const dir = tmp();
    const file = path.join(dir, 'tls.crt');
    execFileSync('mkfifo', [file]);
    expect(refusal(() => readInput(file, dir))).toEqual(notRegular(file, 'a FIFO'));
  });

  it('a character device', () => {
    const f = refusal(() => readInput('/dev/null'));
    expect(f).toEqual(notRegular('/dev/null', 'a device'));
    expect(f.message).toBe('cannot read /dev/null: it is a device, not a regular file');
  });

  // Major 240 is reserved for local use: no driver stands behind it, and open(2) fails with ENXIO.
  it.runIf(
    needsRoot('a device made by mknod in the source') &&
      needs('a device made by mknod in the source', tmpNodev(), 'set TMPDIR to a file system mounted without nodev'),
  )('a device without its driver, which open(2) refuses (ENXIO)', () => {
    const dir = tmp();
    const file = path.join(dir, 'tls.crt');
    execFileSync('mknod', [file, 'c', '240', '0']);
    expect(refusal(() => readInput(file, dir))).toEqual(notRegular(file, 'a device'));
  });

  // Only root may open a block device; /dev/loop0 opens without a file behind it.
  it.runIf(
    needsRoot('a block device in the source') &&
      machineHas('a block device in the source', '/dev/loop0', (st) => st.isBlockDevice()),
  )('a block device', () => {
    expect(refusal(() => readInput('/dev/loop0'))).toEqual(notRegular('/dev/loop0', 'a device'));
  });

  // open(2) refuses a socket with ENXIO before fstat sees it: the finding still says what stands there.
  it('a socket', async () => {
    const dir = tmp();
    const file = path.join(dir, 'tls.crt');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(file, resolve));
    try {
      const f = refusal(() => readInput(file, dir));
      expect(f).toEqual(notRegular(file, 'a socket'));
      expect(f.message).toBe(`cannot read ${file}: it is a socket, not a regular file`);
    } finally {
      server.close();
    }
  });
});

describe('readInput closes what it opens', () => {
  it('after a read and after each refusal', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'tls.crt'), 'certificate');
    fs.writeFileSync(path.join(dir, 'empty.crt'), '');
    fs.mkdirSync(path.join(dir, 'dir.crt'));
    const open = () => fs.readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 10; i++) {
      readInput(path.join(dir, 'tls.crt'), dir);
      readInput(path.join(dir, 'tls.crt'), dir, { maxBytes: 4 });
      for (const name of ['empty.crt', 'dir.crt']) failure(() => readInput(path.join(dir, name), dir));
    }
    expect(open()).toBe(before);
  });
});

// A sysfs attribute is a regular file of 4,096 bytes whose read can fail: the loopback interface has no
// link speed, and reading it gives EINVAL (as `cat /sys/class/net/lo/speed` shows).
it.runIf(machineHas('a read error of sysfs', '/sys/class/net/lo/speed'))(
  'readInput says which error a read of an open file gave',
  () => {
    const file = '/sys/class/net/lo/speed';
    expect(refusal(() => readInput(file))).toEqual(
      expected(messages.SOURCE_UNREADABLE.io({ what: 'cannot read', file, reason: 'EINVAL' }), file),
    );
  },
);

describe('readInput keeps to the source directory', () => {
  const outside = (file: string, real: string, root: string) =>
    expected(messages.SOURCE_UNREADABLE.linkOutside({ file, real, root }), file);

  it('refuses a link to a file outside it, naming the file, where it leads and the first root', () => {
    const dir = tmp();
    const other = tmp();
    fs.writeFileSync(path.join(other, 'ca.key'), 'secret');
    const file = path.join(dir, 'tls.key');
    fs.symlinkSync(path.join(other, 'ca.key'), file);
    const f = refusal(() => readInput(file, dir));
    expect(f).toEqual(outside(file, path.join(other, 'ca.key'), dir));
    expect(f.message).toBe(
      `cannot read ${file}: it is a symlink to ${other}/ca.key, outside the source directory ${dir}`,
    );
    const third = tmp();
    expect(refusal(() => readInput(file, [dir, third]))).toEqual(outside(file, path.join(other, 'ca.key'), dir));
    // Without a source directory, any link is followed.
    expect(readInput(file).toString()).toBe('secret');
  });

  it('refuses a link to the directory above it, and to a sibling whose name starts with its own', () => {
    const dir = tmp();
    const up = path.join(dir, 'up');
    fs.symlinkSync('..', up);
    expect(refusal(() => readInput(up, dir))).toEqual(outside(up, path.dirname(dir), dir));
    const sibling = `${dir}x`;
    fs.writeFileSync(sibling, 'x');
    const file = path.join(dir, 'tls.crt');
    fs.symlinkSync(sibling, file);
    expect(refusal(() => readInput(file, dir))).toEqual(outside(file, sibling, dir));
  });

  it('reads a link inside it, to a file whose name starts with two dots', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, '..tls.crt'), 'inside');
    fs.symlinkSync('..tls.crt', path.join(dir, 'tls.crt'));
    expect(readInput(path.join(dir, 'tls.crt'), dir).toString()).toBe('inside');
  });

  it("reads certbot's live/<name> links into archive/<name>, which sourceRoots allows", () => {
    const live = fixture('layout-certbot/live/example.com');
    const roots = sourceRoots(live);
    expect(roots).toEqual([fs.realpathSync(live), fs.realpathSync(fixture('layout-certbot/archive/example.com'))]);
    expect(readInput(path.join(live, 'cert.pem'), roots).toString()).toContain('BEGIN CERTIFICATE');
    const f = refusal(() => readInput(path.join(live, 'cert.pem'), [roots[0]!]));
    expect(f.code).toBe('SOURCE_UNREADABLE');
  });
});

describe('sourceRoots', () => {
  function tree(archive: 'dir' | 'link' | 'file' | 'none', parent = 'live') {
    const top = tmp();
    fs.mkdirSync(path.join(top, parent, 'example.com'), { recursive: true });
    fs.mkdirSync(path.join(top, 'elsewhere'));
    const at = path.join(top, 'archive', 'example.com');
    if (archive !== 'none') fs.mkdirSync(path.join(top, 'archive'));
    if (archive === 'dir') fs.mkdirSync(at);
    if (archive === 'link') fs.symlinkSync(path.join(top, 'elsewhere'), at);
    if (archive === 'file') fs.writeFileSync(at, '');
    return { source: path.join(top, parent, 'example.com'), archive: at };
  }

  it('is the real path of the source, and archive/<name> beside live/<name> when it is a directory', () => {
    const { source, archive } = tree('dir');
    expect(sourceRoots(source)).toEqual([source, archive]);
  });

  it('is the source alone when archive/<name> is missing, a symlink or a file', () => {
    for (const kind of ['none', 'link', 'file'] as const) {
      const { source } = tree(kind);
      expect(sourceRoots(source), kind).toEqual([source]);
    }
  });

  it('is the source alone when its parent is not named live', () => {
    const { source } = tree('dir', 'old');
    expect(sourceRoots(source)).toEqual([source]);
  });

  it('follows a link to the source first', () => {
    const { source, archive } = tree('dir');
    const link = path.join(tmp(), 'certs');
    fs.symlinkSync(source, link);
    expect(sourceRoots(link)).toEqual([source, archive]);
  });
});

describe('readInput says why a file cannot be read', () => {
  it('a missing file, or a path through a file: SOURCE_NOT_FOUND', () => {
    const dir = tmp();
    const missing = path.join(dir, 'tls.crt');
    const f = refusal(() => readInput(missing, dir));
    expect(f).toEqual(expected(messages.SOURCE_NOT_FOUND.missing({ what: 'cannot read', file: missing }), missing));
    expect(f.message).toBe(`cannot read ${missing}: it does not exist`);
    fs.writeFileSync(missing, 'x');
    const through = path.join(missing, 'tls.key');
    expect(refusal(() => readInput(through, dir))).toEqual(
      expected(messages.SOURCE_NOT_FOUND.missing({ what: 'cannot read', file: through }), through),
    );
  });

  it("a dangling link, with certbot's hint when it points into an archive/ directory", () => {
    const dir = tmp();
    const dangling = (name: string, target: string, certbot: boolean) => {
      const file = path.join(dir, name);
      fs.symlinkSync(target, file);
      expect(
        refusal(() => readInput(file, dir)),
        target,
      ).toEqual(expected(messages.SOURCE_NOT_FOUND.danglingLink({ file, target, certbot }), file));
    };
    dangling('cert.pem', '../../archive/example.com/cert1.pem', true);
    dangling('chain.pem', 'archive/example.com/chain1.pem', true);
    dangling('fullchain.pem', '/etc/letsencrypt/archive/x/fullchain1.pem', true);
    dangling('privkey.pem', '../myarchive/privkey1.pem', false);
    dangling('tls.crt', '/nowhere/tls.crt', false);
    dangling('tls.key', 'archive', false);
    const f = refusal(() => readInput(path.join(dir, 'cert.pem'), dir));
    expect(f.message).toBe(
      `cannot read ${dir}/cert.pem: it is a symlink to ../../archive/example.com/cert1.pem, which does not exist here`,
    );
  });

  it('a link whose target is a dangling link: the file it names, not the last link', () => {
    const dir = tmp();
    fs.symlinkSync('/nowhere/tls.crt', path.join(dir, 'real.crt'));
    const file = path.join(dir, 'tls.crt');
    fs.symlinkSync('real.crt', file);
    expect(refusal(() => readInput(file, dir))).toEqual(
      expected(messages.SOURCE_NOT_FOUND.danglingLink({ file, target: 'real.crt', certbot: false }), file),
    );
  });

  it('a symlink loop: SOURCE_UNREADABLE', () => {
    const dir = tmp();
    const file = path.join(dir, 'tls.crt');
    fs.symlinkSync('tls.crt', file);
    const f = refusal(() => readInput(file, dir));
    expect(f).toEqual(expected(messages.SOURCE_UNREADABLE.symlinkLoop({ what: 'cannot read', file }), file));
    expect(f.message).toBe(`cannot read ${file}: its symlinks loop`);
  });

  it('any other error by its code', () => {
    const dir = tmp();
    const file = path.join(dir, 'a'.repeat(300));
    expect(refusal(() => readInput(file, dir))).toEqual(
      expected(messages.SOURCE_UNREADABLE.io({ what: 'cannot read', file, reason: 'ENAMETOOLONG' }), file),
    );
  });
});

// kernfs refuses to open an attribute without a read method for reading, with EACCES even for root: a
// regular file (4,096 bytes) that open(2) refuses.
it.runIf(machineHas('an open(2) refused by sysfs', '/sys/bus/pci/rescan'))(
  'readInput says permission denied when open(2) is refused',
  () => {
    const file = '/sys/bus/pci/rescan';
    const f = refusal(() => readInput(file));
    expect(f).toEqual(
      expected(
        messages.SOURCE_UNREADABLE.permissionDenied({ what: 'cannot read', file, uid: process.getuid!() }),
        file,
      ),
    );
    expect(f.message).toBe(`cannot read ${file}: permission denied`);
  },
);

describe('ioError', () => {
  const FILE = '/certs/tls.crt';
  it('maps the errors of node:fs to findings, with the verb it is given', () => {
    const missing = fsError(() => fs.readFileSync('/nowhere/tls.crt'));
    expect(ioError(missing, FILE, 'cannot open the source').finding).toEqual(
      expected(messages.SOURCE_NOT_FOUND.missing({ what: 'cannot open the source', file: FILE }), FILE),
    );
    expect(ioError(missing, FILE).cause).toBe(missing);
    const notDir = fsError(() => fs.readFileSync('/etc/hostname/x'));
    expect(notDir.code).toBe('ENOTDIR');
    expect(ioError(notDir, FILE).finding).toEqual(
      expected(messages.SOURCE_NOT_FOUND.missing({ what: 'cannot read', file: FILE }), FILE),
    );
    const isDir = fsError(() => fs.readFileSync('/'));
    expect(ioError(isDir, FILE).finding).toEqual(
      expected(messages.SOURCE_UNREADABLE.io({ what: 'cannot read', file: FILE, reason: 'EISDIR' }), FILE),
    );
  });

  // As root no file is denied, so these two are the errors node:fs gives, built by hand (their code is all
  // that ioError reads).
  it.each(['EACCES', 'EPERM'])('says permission denied for %s, with the fix for the uid it runs as', (code) => {
    const err = Object.assign(new Error(`${code}: permission denied, open '${FILE}'`), { code });
    const f = ioError(err, FILE).finding;
    expect(f).toEqual(
      expected(
        messages.SOURCE_UNREADABLE.permissionDenied({ what: 'cannot read', file: FILE, uid: process.getuid!() }),
        FILE,
      ),
    );
    expect(f.message).toBe(`cannot read ${FILE}: permission denied`);
  });

  it('gives the message of an error without a code', () => {
    expect(ioError(new Error('the volume went away'), FILE).finding.message).toBe(
      `cannot read ${FILE}: the volume went away`,
    );
  });
});

describe('inFile', () => {
  const parseError = () => raise(messages.FILE_CORRUPT.parse({ why: 'the PFX is truncated' }));

  it("puts the verb and the file in front of a parser's finding, keeping its cause", () => {
    const cause = new Error('asn1');
    const err = raise(messages.FILE_CORRUPT.parse({ why: 'the PFX is truncated' }), undefined, cause);
    const e = inFile(err, '/certs/api.pfx', 'cannot open') as KcsError;
    expect(e.finding).toEqual(
      expected(
        { ...messages.FILE_CORRUPT.parse({ why: 'cannot open /certs/api.pfx: the PFX is truncated' }) },
        '/certs/api.pfx',
      ),
    );
    expect(e.cause).toBe(cause);
    const bare = parseError();
    expect((inFile(bare, '/certs/api.pfx', 'cannot open') as KcsError).cause).toBe(bare);
  });

  it('leaves a finding that names its file already, and anything that is not a finding', () => {
    const named = raise(messages.FILE_CORRUPT.empty({ file: '/certs/a.pem' }), '/certs/a.pem');
    expect(inFile(named, '/certs/b.pem', 'cannot read')).toBe(named);
    const bug = new TypeError('x is undefined');
    expect(inFile(bug, '/certs/b.pem', 'cannot read')).toBe(bug);
  });
});
