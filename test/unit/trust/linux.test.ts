// The Linux trust stores of sidecar/trust/linux.ts: the system anchor directory of each distribution, and
// the NSS databases of Chromium and Firefox (for real, with certutil, when it is installed).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeCa } from '../../../sidecar/trust/ca.js';
import { LINUX_SYSTEM_STORES, linuxSystemStore, nssStores } from '../../../sidecar/trust/linux.js';
import { fixture } from '../../support/helpers.js';
import { ENABLE, needs } from '../../support/skips.js';
import { sandbox } from '../../support/trust.js';

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
      `none of ${LINUX_SYSTEM_STORES.map((s) => s.dir).join(', ')} exists on this Linux: add ${ca.file} to its trust store by hand`,
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
