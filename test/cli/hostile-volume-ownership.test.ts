// The ownership model of docs/threat-model.md, attacked as the review did: the attacker runs as uid
// 1654 (the app of every ASP.NET Core image, or a co-tenant), against the built CLI. Each case
// failed before the model was followed in code. Needs root (to run two uids), as CI runs.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { outputFingerprint } from '../../sidecar/publish/published.js';
import { fixture } from '../support/helpers.js';
import { needsRoot } from '../support/skips.js';

const BIN = path.resolve('dist/kestrel-cert-sidecar.mjs');
const APP = 1654;
/** A second non-root sidecar uid, for the cases where the sidecar and the attacker differ. */
const OTHER = 1655;
const as = (uid: number): SpawnSyncOptions => ({ uid, gid: uid });

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-own-'));
  fs.chmodSync(d, 0o755);
  return d;
}
/** An output directory the app owns, as a fresh named volume or a forgotten :ro leaves it. */
function appVolume(mode = 0o755): string {
  const out = path.join(tmp(), 'out');
  fs.mkdirSync(out);
  fs.chmodSync(out, mode);
  fs.chownSync(out, APP, APP);
  return out;
}
function init(out: string, opts: SpawnSyncOptions = {}, source = 'pem-pkcs8') {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [BIN, 'init', '--output', out, '--source', fixture(source)], {
    env: { PATH: process.env.PATH!, HOME: os.tmpdir() },
    encoding: 'utf8',
    timeout: 60_000,
    ...opts,
  });
  return { code: r.status, stdout: String(r.stdout), stderr: String(r.stderr), ms: Date.now() - t0 };
}
/** Runs a shell command as the attacker; returns its exit code and what it said. */
function attack(script: string, uid = APP) {
  const r = spawnSync('sh', ['-c', script], { ...as(uid), encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}
const repaired = (out: string, what: string) =>
  `warning: OUTPUT_REPAIRED ${out}: ${what}\nfix: nothing: it was replaced; ` +
  'if another container writes this volume, mount it read-only there (docs/threat-model.md)\n';

describe.runIf(needsRoot('the ownership model (an attacker as uid 1654)'))('the ownership model of the volume', () => {
  it('as root, the app reads every published file and can change none: not its mode, not its bytes', () => {
    const out = appVolume();
    expect(init(out).code).toBe(0);
    const gen = fs.readlinkSync(path.join(out, '..data'));
    for (const f of ['tls.key', 'tls.crt', 'trust/ca-bundle.crt', 'manifest.json'])
      expect(fs.statSync(path.join(out, gen, f))).toMatchObject({ uid: 0, gid: APP });
    expect(attack(`cat ${out}/tls.key ${out}/cert.pfx ${out}/tls.crt > /dev/null && echo read`)).toEqual({
      code: 0,
      out: 'read\n',
    });
    for (const f of ['tls.key', 'tls.crt', 'ca.crt', 'trust/ca-bundle.crt', 'manifest.json']) {
      const r = attack(`chmod u+w ${out}/${f} || echo evil > ${out}/${f} || exit 9`);
      expect(r.code, `${f}: ${r.out}`).toBe(9);
      expect(r.out).toMatch(/Operation not permitted[\s\S]*Permission denied/);
    }
  });

  it('a non-root sidecar republishes a set the app rewrote in place, and says which file', () => {
    const out = appVolume();
    expect(init(out, as(APP)).code).toBe(0);
    const live = fs.readlinkSync(path.join(out, '..data'));
    const before = outputFingerprint(out);
    // The same uid as the sidecar: it owns the files, so it may chmod them and write them in place.
    expect(attack(`cd ${out}/${live}/trust && chmod u+w . ca-bundle.crt && echo evil > ca-bundle.crt`).code).toBe(0);
    // watch's rescan sees it...
    expect(outputFingerprint(out)).not.toBe(before);
    // ...and the publish it runs compares the files with the manifest's digests.
    const r = init(out, as(APP));
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/^unchanged/);
    expect(r.stderr).toContain(
      repaired(
        out,
        `trust/ca-bundle.crt in ${live} does not match its digest in manifest.json: ` +
          'it was changed after it was published; replaced by a new generation',
      ),
    );
    expect(fs.readlinkSync(path.join(out, '..data'))).not.toBe(live);
    expect(fs.readFileSync(path.join(out, 'trust/ca-bundle.crt'), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  it.each([
    ['a file kept fresh', 'touch ..kcs.lock', 'a file of uid 1654'],
    ['a directory', 'mkdir ..kcs.lock', 'a directory of uid 1654'],
    ['a symlink', 'ln -s /etc/passwd ..kcs.lock', 'a symlink of uid 1654'],
  ])('a lock planted by the app before the first root run (%s) is removed at once, and said', (_what, plant, is) => {
    const out = appVolume();
    expect(attack(`cd ${out} && ${plant}`).code).toBe(0);
    const r = init(out);
    expect(r.stderr).toContain(repaired(out, `..kcs.lock was ${is}, not a lock of this sidecar; removed`));
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(15_000); // not the 45 s wait
    expect(fs.existsSync(path.join(out, '..kcs.lock'))).toBe(false);
    expect(fs.readFileSync('/etc/passwd', 'utf8')).toMatch(/^root:/);
  });

  it('a non-root sidecar refuses a lock of another uid at once, with OUTPUT_LOCKED naming the risk', () => {
    const out = appVolume(0o777);
    expect(attack(`cd ${out} && mkdir ..kcs.lock`).code).toBe(0);
    const r = init(out, as(OTHER));
    expect(r.stderr).toBe(
      `OUTPUT_LOCKED cannot publish to ${out}: ..kcs.lock is a directory of uid 1654, not a lock of this ` +
        'sidecar; another uid can write the output, and could hold or change any publish\n' +
        `fix: remove ${out}/..kcs.lock, mount the volume read-only in every other container, ` +
        'or run the sidecar as root (it takes the output directory)\n',
    );
    expect(r.code).toBe(5);
    expect(r.ms).toBeLessThan(15_000);
  });

  it('an empty lock left by a writer killed before it wrote its holder costs no 30 s wait', () => {
    const out = path.join(tmp(), 'out');
    expect(init(out).code).toBe(0);
    fs.writeFileSync(path.join(out, '..kcs.lock'), '');
    const moment = new Date(Date.now() - 2000);
    fs.utimesSync(path.join(out, '..kcs.lock'), moment, moment);
    const r = init(out);
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(15_000);
  });

  it('a lock whose holder could not be written (a full disk) is not left behind', () => {
    const out = path.join(tmp(), 'out');
    fs.mkdirSync(out);
    spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', out]);
    try {
      // Fill it: the lock's name can still be created (an inode), its content cannot be written.
      spawnSync('sh', ['-c', `cat /dev/zero > ${out}/fill 2>/dev/null`]);
      const r = init(out);
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(/^OUTPUT_NOT_WRITABLE cannot publish to .*: taking its lock failed \(ENOSPC\)/);
      expect(fs.existsSync(path.join(out, '..kcs.lock'))).toBe(false);
    } finally {
      spawnSync('umount', [out]);
    }
  });

  it('a directory planted at tls.crt/x/ before the first root run is removed before ..data switches', () => {
    const out = appVolume();
    expect(attack(`mkdir -p ${out}/tls.crt/x`).code).toBe(0);
    const r = init(out);
    expect(r.stderr).toContain(
      repaired(out, 'tls.crt was a directory of uid 1654, not made by kestrel-cert-sidecar; removed'),
    );
    expect(r.code).toBe(0);
    for (const n of ['tls.crt', 'tls.key', 'trust', 'manifest.json'])
      expect(fs.readlinkSync(path.join(out, n))).toBe(`..data/${n}`);
    expect(fs.readdirSync(out).filter((n) => n.endsWith('_tmp'))).toEqual([]);
  });

  it('a failed publish leaves the live set exactly as it was, no temporary link, no new generation', () => {
    // A non-root sidecar (uid 1655) on a volume the app (1654) can write too: the app puts a
    // directory of its own, which the sidecar may not remove, where tls.crt's link was.
    const out = appVolume(0o777);
    expect(init(out, as(OTHER)).code).toBe(0);
    const before = fs.readdirSync(out).sort();
    const live = fs.readlinkSync(path.join(out, '..data'));
    expect(attack(`cd ${out} && rm tls.crt && mkdir -p tls.crt/x`).code).toBe(0);
    const r = init(out, as(OTHER), 'k8s-secret');
    expect(r.stderr).toMatch(
      /^OUTPUT_NOT_WRITABLE cannot publish to .*: clearing the published names failed \(EACCES\)\nfix: /,
    );
    expect(r.code).toBe(5);
    expect(fs.readlinkSync(path.join(out, '..data'))).toBe(live);
    expect(fs.readdirSync(out).sort()).toEqual(before);
    expect(fs.readlinkSync(path.join(out, 'tls.key'))).toBe('..data/tls.key');
  });

  it('a non-root sidecar under umask 077 creates an output directory other uids can enter', () => {
    const d = tmp();
    fs.chownSync(d, APP, APP);
    const out = path.join(d, 'new', 'out');
    const r = spawnSync('sh', ['-c', `umask 077 && exec "$0" "$@"`, process.execPath, BIN, 'init', '--output', out], {
      ...as(APP),
      encoding: 'utf8',
      env: { PATH: process.env.PATH!, HOME: d, KCS_SOURCE: fixture('pem-pkcs8') },
    });
    expect(r.status, r.stderr).toBe(0);
    expect((fs.statSync(out).mode & 0o777).toString(8)).toBe('755');
    expect((fs.statSync(path.dirname(out)).mode & 0o777).toString(8)).toBe('755');
    expect(attack(`cat ${out}/tls.crt > /dev/null && echo read`, 2000)).toEqual({ code: 0, out: 'read\n' });
  });

  it('an output below a directory the app can write is published with a warning that names the risk', () => {
    const parent = appVolume();
    const out = path.join(parent, 'certs');
    const r = init(out);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `warning: OUTPUT_PARENT_WRITABLE ${out}: ${parent} belongs to uid 1654, so another uid can replace ` +
        'the output with a symlink to any directory, which this sidecar would then take and write\n' +
        'fix: mount the volume at a path whose parents only root can write (a mount point, such as /https); ' +
        'docs/threat-model.md\n',
    );
    expect(init(path.join(tmp(), 'out')).stderr).not.toContain('OUTPUT_PARENT_WRITABLE');
  });
});
