// The Linux trust stores of sidecar/trust/linux.ts: the system anchor directory of each distribution, and
// the NSS databases of Chromium and Firefox (for real, with certutil, when it is installed).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { System } from '../../../sidecar/trust/system.js';
import { describeCa } from '../../../sidecar/trust/ca.js';
import {
  LINUX_SYSTEM_STORES,
  type LinuxSystemStore,
  linuxSystemStore,
  nssStores,
} from '../../../sidecar/trust/linux.js';
import { fixture } from '../../support/helpers.js';
import { ENABLE, needs, needsRoot } from '../../support/skips.js';
import { sandbox } from '../../support/trust.js';
import { nodeSystem } from '../../../sidecar/trust/system.js';

const tmp = (p = 'kcs-trust-') => fs.mkdtempSync(path.join(os.tmpdir(), p));
const haveCertutil = needs(
  'trust into NSS databases',
  spawnSync('certutil', ['-H'], { encoding: 'utf8' }).error ? 'certutil is not installed' : undefined,
  ENABLE.certutil,
);

describe('trust: the Linux stores', () => {
  const ca = describeCa(fs.readFileSync(fixture('root.crt')), fixture('root.crt'));

  it.each(LINUX_SYSTEM_STORES.map((s) => [s.distro, s] as const))(
    'Linux system store, %s: the anchor file and the refresh command',
    (_d, s) => {
      const store = linuxSystemStore(
        ca,
        sandbox({}, (p) => p === s.dir),
      );
      expect(store.label).toBe(`system store (${s.distro}: ${s.dir}/${ca.name}${s.ext})`);
      expect(store.needsRoot).toEqual({
        install: `sudo cp ${ca.file} ${s.dir}/${ca.name}${s.ext} && sudo ${s.refresh.join(' ')}`,
        uninstall: `sudo rm ${s.dir}/${ca.name}${s.ext} && sudo ${s.refreshRemoved.join(' ')}`,
      });
    },
  );

  it('a Linux without any known anchor directory says where the CA is instead', () => {
    expect(
      linuxSystemStore(
        ca,
        sandbox({}, () => false),
      ).unavailable,
    ).toBe(
      `none of ${LINUX_SYSTEM_STORES.map((s) => s.dir).join(', ')} exists on this Linux: ` +
        `add ${ca.file} to its trust store by hand`,
    );
  });

  it('NSS without certutil names the package that has it', () => {
    const stores = nssStores(ca, {
      ...sandbox({ HOME: tmp() }),
      which: (c) => (c === 'apt-get' ? '/usr/bin/apt-get' : undefined),
    });
    expect(stores.map((s) => s.unavailable)).toEqual(['certutil is not installed: sudo apt-get install libnss3-tools']);
  });

  it.runIf(haveCertutil)(
    "NSS, for real: Chromium's database is made, every Firefox profile gets it, and only our entry is removed",
    () => {
      const home = tmp('kcs-home-');
      const profile = path.join(home, '.mozilla/firefox/abcd.default-release');
      fs.mkdirSync(profile, { recursive: true });
      execFileSync('certutil', ['-N', '-d', `sql:${profile}`, '--empty-password']);
      // Someone else's CA in the same database stays.
      execFileSync('certutil', [
        '-A',
        '-d',
        `sql:${profile}`,
        '-t',
        'C,,',
        '-n',
        'someone-else',
        '-i',
        fixture('chain.crt'),
      ]);
      const sys = sandbox({ HOME: home });
      const stores = () => nssStores(ca, sys);
      expect(stores().map((s) => s.label)).toEqual([
        `NSS for Chromium (${home}/.pki/nssdb)`,
        `NSS for Firefox (profile ${profile})`,
      ]);
      expect(stores().map((s) => s.status())).toEqual([false, false]);
      expect(stores().map((s) => s.install())).toEqual([true, true]);
      expect(stores().map((s) => s.install())).toEqual([false, false]); // idempotent
      const listed = (db: string) => execFileSync('certutil', ['-L', '-d', `sql:${db}`], { encoding: 'utf8' });
      expect(listed(path.join(home, '.pki/nssdb'))).toMatch(new RegExp(`^${ca.name}\\s+C,,\\s*$`, 'm'));
      expect(stores().map((s) => s.status())).toEqual([true, true]);
      expect(stores().map((s) => s.uninstall())).toEqual([true, true]);
      expect(stores().map((s) => s.uninstall())).toEqual([false, false]);
      expect(listed(profile)).not.toContain(ca.name);
      expect(listed(profile)).toMatch(/^someone-else\s+C,,/m);
    },
  );
});

const APP = 1654;
/** A directory every uid can enter, as a volume's parent is. */
function shared(): string {
  const d = tmp();
  fs.chmodSync(d, 0o755);
  return d;
}
/** Runs a shell command as the attacker, uid 1654. */
function asApp(script: string): void {
  const r = spawnSync('sh', ['-c', script], { uid: APP, gid: APP, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`attacker script failed: ${r.stderr}`);
}

describe.runIf(needsRoot('trust --install as root against a planted anchor name'))(
  'trust --install as root writes no anchor file through what another uid planted',
  () => {
    const ca = describeCa(fs.readFileSync(fixture('root.crt')), fixture('root.crt'));
    /** An anchor directory as Debian makes /usr/local/share/ca-certificates: root:staff 2775 (here the
     *  group is 1654's), with a refresh that changes nothing on this machine. */
    function anchors() {
      const dir = path.join(shared(), 'anchors');
      fs.mkdirSync(dir);
      fs.chownSync(dir, 0, APP);
      fs.chmodSync(dir, 0o2775);
      const store: LinuxSystemStore = {
        distro: 'Test',
        dir,
        ext: '.crt',
        refresh: ['true'],
        refreshRemoved: ['true'],
        bundle: path.join(dir, '..', 'bundle.crt'),
      };
      const sys: System = { ...nodeSystem({ PATH: process.env.PATH }), isRoot: true };
      return {
        dir,
        file: path.join(dir, `${ca.name}.crt`),
        install: () => linuxSystemStore(ca, sys, [store]).install(),
      };
    }
    /** A file only root may change, that the attacker wants overwritten and made world-readable. */
    function victim() {
      const file = path.join(shared(), 'victim');
      fs.writeFileSync(file, 'precious\n', { mode: 0o600 });
      return file;
    }

    it('a symlink planted at the anchor name: the victim is neither written nor chmodded, the anchor is a file', () => {
      const a = anchors();
      const v = victim();
      asApp(`ln -s ${v} ${a.file}`);
      expect(a.install()).toBe(true);
      expect(fs.readFileSync(v, 'utf8')).toBe('precious\n');
      expect((fs.statSync(v).mode & 0o777).toString(8)).toBe('600');
      const st = fs.lstatSync(a.file);
      expect({ file: st.isFile(), mode: (st.mode & 0o777).toString(8), uid: st.uid }).toEqual({
        file: true,
        mode: '644',
        uid: 0,
      });
      expect(fs.readFileSync(a.file, 'utf8')).toBe(ca.pem);
      expect(fs.readdirSync(a.dir)).toEqual([`${ca.name}.crt`]); // no temporary file left
    });

    it('a directory planted at the anchor name: TRUST_STORE_FAILED naming it, nothing written into it', () => {
      const a = anchors();
      asApp(`mkdir ${a.file}`);
      expect(() => a.install()).toThrow(`TRUST_STORE_FAILED system store: cannot write ${a.file}: EISDIR`);
      expect(fs.readdirSync(a.file)).toEqual([]);
      expect(fs.readdirSync(a.dir)).toEqual([`${ca.name}.crt`]);
    });
  },
);
