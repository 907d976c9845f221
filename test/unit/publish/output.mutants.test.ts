// The output directory and the volume (sidecar/publish/output.ts, volume.ts) on real directories:
// created at 0755 whatever the umask, taken as root, parents another uid could swap, and what the volume
// says about what it repaired. Written to kill their mutants (docs/testing.md, "Mutation score").
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MODE_OUTPUT, openOutput, unsafeParent } from '../../../sidecar/publish/output.js';
import { keepsLive, repairFindings, Volume, type LiveRead } from '../../../sidecar/publish/volume.js';

const isRoot = process.geteuid?.() === 0;
const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-output-'));
const mode = (p: string) => fs.statSync(p).mode & 0o7777;
const oldUmask = process.umask();
afterEach(() => process.umask(oldUmask));

describe('openOutput', () => {
  it('creates the output and its missing parents at 0755 under umask 077, and leaves existing parents', () => {
    const base = tmpDir();
    fs.chmodSync(base, 0o700);
    process.umask(0o077);
    const out = openOutput(path.join(base, 'a/b/out'));
    out.close();
    expect([mode(path.join(base, 'a')), mode(path.join(base, 'a/b')), mode(path.join(base, 'a/b/out'))]).toEqual([
      MODE_OUTPUT,
      MODE_OUTPUT,
      MODE_OUTPUT,
    ]);
    expect(mode(base)).toBe(0o700);
    openOutput(path.join(base, 'a/b/out')).close();
  });

  it.skipIf(!isRoot)("takes the output as root: owner root, KCS_OWNER's group, mode 0755", () => {
    const dir = path.join(tmpDir(), 'out');
    fs.mkdirSync(dir, { mode: 0o777 });
    fs.chmodSync(dir, 0o777);
    fs.chownSync(dir, 4242, 4242);
    openOutput(dir, { uid: 1654, gid: 1654 }).close();
    const st = fs.statSync(dir);
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([0, 1654, 0o755]);
    openOutput(dir).close();
    expect(fs.statSync(dir).gid).toBe(0);
  });
});

describe('unsafeParent', () => {
  it('finds none under a path only root and this uid can write, a sticky /tmp included', () => {
    const dir = tmpDir();
    fs.chmodSync(dir, 0o755);
    expect(unsafeParent(path.join(dir, 'out'))).toBeUndefined();
  });

  it('names a parent every uid can write', () => {
    const dir = tmpDir();
    fs.chmodSync(dir, 0o777);
    expect(unsafeParent(path.join(dir, 'out'))).toBe(`${dir} is writable by every uid`);
    fs.chmodSync(dir, 0o1777);
    expect(unsafeParent(path.join(dir, 'out'))).toBeUndefined();
  });

  it.skipIf(!isRoot)('names a parent of another uid, and one its group of another gid can write', () => {
    const dir = tmpDir();
    fs.chmodSync(dir, 0o755);
    fs.chownSync(dir, 4242, 0);
    expect(unsafeParent(path.join(dir, 'out'))).toBe(`${dir} belongs to uid 4242`);
    fs.chownSync(dir, 0, 4242);
    fs.chmodSync(dir, 0o775);
    expect(unsafeParent(path.join(dir, 'out'))).toBe(`${dir} is writable by group 4242`);
    fs.chownSync(dir, 0, 0);
    expect(unsafeParent(path.join(dir, 'out'))).toBeUndefined();
  });
});

describe('Volume', () => {
  it('warns about a parent another uid can write', () => {
    const parent = tmpDir();
    fs.chmodSync(parent, 0o777);
    const out = path.join(parent, 'out');
    const v = Volume.open(out);
    v.close();
    expect(v.findings).toEqual([
      {
        code: 'OUTPUT_PARENT_WRITABLE',
        severity: 'warning',
        message:
          `${out}: ${parent} is writable by every uid, so another uid can replace the output with a symlink to any ` +
          'directory, which this sidecar would then take and write',
        hint:
          'mount the volume at a path whose parents only root can write (a mount point, such as /https); ' +
          'docs/threat-model.md',
        file: out,
      },
    ]);
  });

  it('says what it repaired at the lock', () => {
    expect(repairFindings('/out', ['..kcs.lock was a directory'])).toEqual([
      {
        code: 'OUTPUT_REPAIRED',
        severity: 'warning',
        message: '/out: ..kcs.lock was a directory',
        hint:
          'nothing: it was replaced; if another container writes this volume, mount it read-only there ' +
          '(docs/threat-model.md)',
        file: '/out',
      },
    ]);
  });

  it('keeps the live generation only when it is intact and of this content', () => {
    const live = (o: { [K in keyof LiveRead]?: LiveRead[K] | undefined }): LiveRead =>
      ({
        generation: '..g',
        files: new Map(),
        damaged: [],
        manifest: { contentDigest: 'd', digests: {} },
        ...o,
      }) as LiveRead;
    expect(keepsLive(live({}), 'd')).toBe(true);
    expect(keepsLive(live({}), 'other')).toBe(false);
    expect(keepsLive(live({ generation: undefined }), 'd')).toBe(false);
    expect(keepsLive(live({ damaged: ['tls.crt'] }), 'd')).toBe(false);
    expect(keepsLive(live({ manifest: { contentDigest: 'd' } as LiveRead['manifest'] }), 'd')).toBe(false);
    expect(keepsLive(live({ manifest: undefined }), 'd')).toBe(false);
  });
});
