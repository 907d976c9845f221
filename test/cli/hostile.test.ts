// Hostile and broken input: every entry of test/fixtures/hostile/expected.json, plus the inputs that
// cannot live in git (a 50 MB file, /dev/zero, a FIFO, a directory named like a PFX, an unreadable
// file, names with newlines and shell characters). Each must end within 2 s with its finding code and
// exit code, no stack trace, and the published set untouched. Also: a full or read-only output volume.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../support/helpers.js';
import { needsRoot } from '../support/skips.js';

const BIN = path.resolve('dist/kestrel-cert-sidecar.mjs');
const HOSTILE = path.resolve('test/fixtures/hostile');
const expected: Record<string, { code: string; exit: number; why: string; password?: string }> = JSON.parse(
  fs.readFileSync(path.join(HOSTILE, 'expected.json'), 'utf8'),
);
const isRoot = process.getuid?.() === 0;
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-hostile-'));
const tally = { inputs: 0, failures: 0 };

const out = path.join(tmp(), 'out');
let liveManifest = '';
beforeAll(() => {
  const r = spawnSync(
    process.execPath,
    [BIN, 'init', '--output', out, '--owner', `${process.getuid!()}:${process.getgid!()}`],
    { env: { PATH: process.env.PATH! }, encoding: 'utf8' },
  );
  expect(r.status).toBe(0);
  liveManifest = fs.readFileSync(path.join(out, 'manifest.json'), 'utf8');
});
afterAll(() => {
  console.log(`hostile inputs tried: ${tally.inputs}, failures: ${tally.failures}`);
});

/** Runs `init` on the bad input against the live output; 2 s is the bound, not a measurement. */
function attack(source: string, env: Record<string, string> = {}, opts: { uid?: number } = {}) {
  tally.inputs++;
  const r = spawnSync(
    process.execPath,
    [BIN, 'init', '--output', out, '--owner', `${process.getuid!()}:${process.getgid!()}`],
    {
      env: { PATH: process.env.PATH!, KCS_SOURCE: source, ...env },
      encoding: 'utf8',
      timeout: 2000,
      killSignal: 'SIGKILL',
      ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.uid } : {}),
    },
  );
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, first: r.stderr.split('\n')[0] ?? '' };
}

function expectRefused(r: ReturnType<typeof attack>, code: string, exit: number) {
  try {
    expect(r.signal, 'it did not end within 2 s').toBeNull();
    expect(r.first.startsWith(`${code} `), r.stderr).toBe(true);
    expect(r.stderr).toMatch(/\nfix: \S/);
    expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
    expect(r.code).toBe(exit);
    expect(r.stdout).toBe('');
    expect(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')).toBe(liveManifest);
  } catch (err) {
    tally.failures++;
    throw err;
  }
}

describe('the committed hostile corpus', () => {
  it('holds at least 60 inputs', () => {
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(60);
  });
  it.each(Object.entries(expected))('%s gives its code: %o', (name, x) => {
    expectRefused(
      attack(path.join(HOSTILE, name), x.password !== undefined ? { KCS_PASSWORD: x.password } : {}),
      x.code,
      x.exit,
    );
  });
});

describe('hostile inputs made at test time', () => {
  const dir = tmp();
  fs.chmodSync(dir, 0o755);
  const src = (name: string) => {
    const d = path.join(dir, name);
    fs.mkdirSync(d, { recursive: true });
    return d;
  };

  it('a 50 MB file', () => {
    const f = path.join(src('big'), 'huge.pfx');
    fs.writeFileSync(f, Buffer.alloc(50 * 1024 * 1024, 0x30));
    expectRefused(attack(f), 'FILE_TOO_LARGE', 4);
  });

  it('/dev/zero through a symlink given as the source', () => {
    const f = path.join(src('zero'), 'zero.pfx');
    fs.symlinkSync('/dev/zero', f);
    expectRefused(attack(f), 'SOURCE_UNREADABLE', 3);
  });

  it('/dev/zero through a symlink inside the source directory', () => {
    const d = src('zero-in-dir');
    fs.symlinkSync('/dev/zero', path.join(d, 'tls.crt'));
    fs.copyFileSync(fixture('rsa2048.key'), path.join(d, 'tls.key'));
    expectRefused(attack(d), 'SOURCE_UNREADABLE', 3);
  });

  it('a FIFO with no writer', () => {
    const f = path.join(src('fifo'), 'cert.pfx');
    execFileSync('mkfifo', [f]);
    expectRefused(attack(f), 'SOURCE_UNREADABLE', 3);
  });

  it('a directory named x.pfx', () => {
    const d = src('dir-named-pfx');
    fs.mkdirSync(path.join(d, 'x.pfx'));
    expectRefused(attack(d), 'SOURCE_UNREADABLE', 3);
  });

  it('a symlink that leaves the source directory', () => {
    const d = src('escape');
    fs.symlinkSync(fixture('rsa2048.key'), path.join(d, 'tls.key'));
    fs.copyFileSync(fixture('rsa2048.crt'), path.join(d, 'tls.crt'));
    expectRefused(attack(d), 'SOURCE_UNREADABLE', 3);
  });

  it('a symlink loop', () => {
    const d = src('loop');
    fs.symlinkSync('b.pfx', path.join(d, 'a.pfx'));
    fs.symlinkSync('a.pfx', path.join(d, 'b.pfx'));
    expectRefused(attack(path.join(d, 'a.pfx')), 'SOURCE_UNREADABLE', 3);
  });

  it('an unreadable file', () => {
    const d = src('unreadable');
    fs.chmodSync(d, 0o755);
    fs.copyFileSync(fixture('openssl3-default.pfx'), path.join(d, 'api.pfx'));
    fs.chmodSync(path.join(d, 'api.pfx'), 0o000);
    // root reads anything: the unreadable case is a non-root sidecar, so run it as the app user
    if (isRoot) {
      fs.chmodSync(path.dirname(out), 0o755);
      fs.chmodSync(out, 0o777);
    }
    const r = attack(d, { KCS_PASSWORD: 'fixture-Pa55', KCS_OWNER: '' }, isRoot ? { uid: 1654 } : {});
    expect(r.stderr).toMatch(
      /^SOURCE_UNREADABLE cannot read .*api\.pfx: permission denied\nfix: make the file readable by uid \d+/,
    );
    expectRefused(r, 'SOURCE_UNREADABLE', 3);
  });

  it('an empty file', () => {
    const f = path.join(src('empty'), 'cert.pem');
    fs.writeFileSync(f, '');
    expectRefused(attack(f), 'FILE_CORRUPT', 4);
  });

  it('a name with a newline and shell characters, shown escaped on one line', () => {
    const d = src('names');
    const name = 'evil\n$(touch pwned);`id`|&.pem';
    fs.writeFileSync(path.join(d, name), '-----BEGIN CERTIFICATE-----\nnot base64 !!\n-----END CERTIFICATE-----\n');
    const r = attack(d);
    expectRefused(r, 'FILE_CORRUPT', 4);
    expect(r.stderr.split('\n')).toHaveLength(3); // the two lines and the final newline
    expect(r.stderr).toContain('evil\\n$(touch pwned);`id`|&.pem');
    expect(fs.existsSync(path.join(process.cwd(), 'pwned'))).toBe(false);
  });
});

describe.runIf(needsRoot('full and read-only output volumes (tmpfs mounts)'))(
  'an output volume that is full or read-only',
  () => {
    const mounts: string[] = [];
    afterAll(() => {
      for (const m of mounts) spawnSync('umount', [m]);
    });
    function tmpfs(opts: string) {
      const m = tmp();
      execFileSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', m]);
      mounts.push(m);
      return m;
    }
    const publish = (output: string, env: Record<string, string> = {}) =>
      spawnSync(process.execPath, [BIN, 'init', '--output', output, '--owner', '0:0'], {
        env: { PATH: process.env.PATH!, ...env },
        encoding: 'utf8',
      });

    it('a full volume gives OUTPUT_NOT_WRITABLE with the fix, and the live set stays intact', () => {
      const m = tmpfs('size=2m');
      const first = publish(m, { KCS_SOURCE: fixture('pem-pkcs8') });
      expect(first.status).toBe(0);
      const before = fs.readFileSync(path.join(m, 'manifest.json'), 'utf8');
      // Fill what is left.
      spawnSync('dd', ['if=/dev/zero', `of=${path.join(m, 'filler')}`, 'bs=64k'], { encoding: 'utf8' });
      const r = publish(m, { KCS_SOURCE: fixture('k8s-secret') });
      expect(r.stderr).toMatch(
        new RegExp(
          /^OUTPUT_NOT_WRITABLE cannot publish to .*: taking its lock failed \(ENOSPC\)\nfix: free /.source +
            /space on the volume that holds .*; the live set was left as it was\n$/.source,
        ),
      );
      expect(r.status).toBe(5);
      expect(fs.readFileSync(path.join(m, 'manifest.json'), 'utf8')).toBe(before);
      expect(fs.readdirSync(m).filter((n) => /^\.\.\d/.test(n))).toHaveLength(1);
    });

    it('a read-only volume gives OUTPUT_NOT_WRITABLE with the fix, and the live set stays intact', () => {
      const m = tmpfs('size=4m');
      expect(publish(m, { KCS_SOURCE: fixture('pem-pkcs8') }).status).toBe(0);
      const before = fs.readFileSync(path.join(m, 'manifest.json'), 'utf8');
      execFileSync('mount', ['-o', 'remount,ro', m]);
      const r = publish(m, { KCS_SOURCE: fixture('k8s-secret') });
      expect(r.stderr).toMatch(
        /^OUTPUT_NOT_WRITABLE cannot publish to .*\(EROFS\)\nfix: mount .* read-write in the sidecar/,
      );
      expect(r.status).toBe(5);
      expect(fs.readFileSync(path.join(m, 'manifest.json'), 'utf8')).toBe(before);
    });
  },
);
