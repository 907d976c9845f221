// The Linux stores: the system store (the first anchor directory that exists, in mkcert's order, and
// its refresh command) and the NSS databases of Chromium and Firefox (certutil).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fail } from '../findings.js';
import { syncDir, writeDurably } from '../generate/durable.js';
import { messages } from '../messages/index.js';
import { MAX_INPUT_BYTES } from '../limits.js';
import type { TrustCa } from './ca.js';
import { CACERTS_PASSWORD } from './java.js';
import {
  commandLine,
  holds,
  must,
  quote,
  read,
  unavailableStore,
  type Argv,
  type Store,
  type System,
} from './system.js';

// --- the Linux system store ---------------------------------------------------------------

export interface LinuxSystemStore {
  distro: string;
  dir: string;
  ext: string;
  refresh: Argv;
  /** After a removal: Debian's update-ca-certificates notices a removed local anchor only with --fresh. */
  refreshRemoved: Argv;
  bundle: string;
}

/** In mkcert's order: the first whose anchor directory exists is the system's. */
export const LINUX_SYSTEM_STORES: readonly LinuxSystemStore[] = [
  {
    distro: 'Fedora/RHEL',
    dir: '/etc/pki/ca-trust/source/anchors',
    ext: '.pem',
    refresh: ['update-ca-trust', 'extract'],
    refreshRemoved: ['update-ca-trust', 'extract'],
    bundle: '/etc/pki/tls/certs/ca-bundle.crt',
  },
  {
    distro: 'Debian/Ubuntu',
    dir: '/usr/local/share/ca-certificates',
    ext: '.crt',
    refresh: ['update-ca-certificates'],
    refreshRemoved: ['update-ca-certificates', '--fresh'],
    bundle: '/etc/ssl/certs/ca-certificates.crt',
  },
  {
    distro: 'Arch',
    dir: '/etc/ca-certificates/trust-source/anchors',
    ext: '.crt',
    refresh: ['trust', 'extract-compat'],
    refreshRemoved: ['trust', 'extract-compat'],
    bundle: '/etc/ssl/certs/ca-certificates.crt',
  },
  {
    distro: 'openSUSE',
    dir: '/usr/share/pki/trust/anchors',
    ext: '.pem',
    refresh: ['update-ca-certificates'],
    refreshRemoved: ['update-ca-certificates'],
    bundle: '/etc/ssl/ca-bundle.pem',
  },
];

const { O_NOFOLLOW, O_RDONLY, O_NONBLOCK } = fs.constants;

/** An anchor file as it stands at its name: a regular file's text, never read through a link. */
function readAnchor(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch {
    return undefined; // missing, or a link: not ours
  }
  try {
    const st = fs.fstatSync(fd);
    return st.isFile() && st.size <= MAX_INPUT_BYTES ? fs.readFileSync(fd, 'utf8') : undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes the anchor file as root without following anything planted at its name (the anchor
 * directory may be writable by a group: Debian makes /usr/local/share/ca-certificates root:staff 2775).
 * The PEM goes into a new file under a random temporary name in the same directory (O_EXCL|O_NOFOLLOW:
 * never an existing name, nor through a link), gets its mode on the descriptor and is fsynced; one
 * rename then puts it at the final name, replacing whatever stood there (a link itself, not its target),
 * and the directory is fsynced, as generate/durable.ts does for the development CA.
 * The temporary name does not end in the store's extension, so a refresh running meanwhile skips it.
 */
function writeAnchor(file: string, pem: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${crypto.randomBytes(8).toString('hex')}.tmp`);
  try {
    writeDurably(tmp, pem, 0o644); // 0644 exactly, whatever the umask
    fs.renameSync(tmp, file);
    syncDir(path.dirname(file)); // the new name reaches the disk too
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    fail(
      messages.TRUST_STORE_FAILED.write({ file, reason: (err as NodeJS.ErrnoException).code ?? String(err) }),
      file,
      err,
    );
  }
}

/** The system store of this Linux: the first of `stores` whose anchor directory exists (tests pass their own). */
export function linuxSystemStore(ca: TrustCa, sys: System, stores = LINUX_SYSTEM_STORES): Store {
  const s = stores.find((d) => sys.exists(d.dir));
  if (!s) {
    return unavailableStore(
      'system store',
      `none of ${stores.map((d) => d.dir).join(', ')} exists on this Linux: add ${ca.file} to its trust store by hand`,
    );
  }
  const file = path.posix.join(s.dir, `${ca.name}${s.ext}`);
  const refresh = commandLine(s.refresh);
  const refreshRemoved = commandLine(s.refreshRemoved);
  const ours = () => {
    const text = readAnchor(file);
    return text !== undefined && holds(text, ca);
  };
  const status = () => ours() && holds(read(s.bundle) ?? '', ca);
  return {
    label: `system store (${s.distro}: ${file})`,
    ...(sys.isRoot
      ? {}
      : {
          needsRoot: {
            install: `sudo cp ${quote(ca.file)} ${file} && sudo ${refresh}`,
            uninstall: `sudo rm ${file} && sudo ${refreshRemoved}`,
          },
        }),
    status,
    install() {
      if (status()) return false;
      writeAnchor(file, ca.pem);
      must(sys, 'system store', s.refresh);
      return true;
    },
    uninstall() {
      if (!ours()) return false;
      fs.rmSync(file);
      must(sys, 'system store', s.refreshRemoved);
      removeDebianJavaCopy(ca, sys, path.posix.basename(file, s.ext));
      return true;
    },
  };
}

/** Debian's ca-certificates-java hook copies every anchor the system store gains into Java's cacerts,
 *  as `debian:<name>.pem`, and never removes a local one: the copy our anchor made goes with it. */
function removeDebianJavaCopy(ca: TrustCa, sys: System, name: string): void {
  const keystore = '/etc/ssl/certs/java/cacerts';
  const keytool = sys.which('keytool');
  if (!keytool || !sys.exists(keystore)) return;
  const alias = `debian:${name}.pem`;
  const ks = ['-keystore', keystore, '-storepass', CACERTS_PASSWORD, '-alias', alias];
  const r = sys.run([keytool, '-exportcert', '-rfc', ...ks]);
  if (r.code === 0 && holds(r.out, ca)) must(sys, 'system store', [keytool, '-delete', ...ks]);
}

// --- NSS: Chromium and Firefox on Linux -----------------------------------------------------

/** The package that holds certutil, by the package manager found. */
function certutilPackage(sys: System): string {
  if (sys.which('apt-get')) return 'sudo apt-get install libnss3-tools';
  if (sys.which('dnf') || sys.which('yum')) return `sudo ${sys.which('dnf') ? 'dnf' : 'yum'} install nss-tools`;
  if (sys.which('pacman')) return 'sudo pacman -S nss';
  if (sys.which('zypper')) return 'sudo zypper install mozilla-nss-tools';
  return 'install the NSS tools of your distribution (libnss3-tools on Debian and Ubuntu, nss-tools on Fedora)';
}

/** The NSS databases of a home: Chromium's (~/.pki/nssdb, made when missing, as Chromium would) and every
 *  Firefox profile's. */
export function nssDatabases(home: string, sys: System): { label: string; dir: string; create: boolean }[] {
  const dbs = [
    {
      label: `NSS for Chromium (${path.posix.join(home, '.pki/nssdb')})`,
      dir: path.posix.join(home, '.pki/nssdb'),
      create: true,
    },
  ];
  const snapChromium = path.posix.join(home, 'snap/chromium/current/.pki/nssdb');
  if (sys.exists(snapChromium))
    dbs.push({ label: `NSS for Chromium (snap: ${snapChromium})`, dir: snapChromium, create: false });
  for (const root of ['.mozilla/firefox', '.mozilla/firefox-esr', 'snap/firefox/common/.mozilla/firefox']) {
    let entries: string[] = [];
    try {
      entries = fs.readdirSync(path.posix.join(home, root)).sort();
    } catch {
      continue;
    }
    for (const e of entries) {
      const dir = path.posix.join(home, root, e);
      if (sys.exists(path.posix.join(dir, 'cert9.db')))
        dbs.push({ label: `NSS for Firefox (profile ${dir})`, dir, create: false });
    }
  }
  return dbs;
}

export function nssStores(ca: TrustCa, sys: System): Store[] {
  const home = sys.env.HOME;
  if (!home) return [];
  const certutil = sys.which('certutil');
  const dbs = nssDatabases(home, sys);
  if (!certutil) {
    return [unavailableStore('NSS (Chromium, Firefox)', `certutil is not installed: ${certutilPackage(sys)}`)];
  }
  return dbs.map(({ label, dir, create }) => {
    const db = `sql:${dir}`;
    const status = () => {
      if (!sys.exists(path.posix.join(dir, 'cert9.db'))) return false;
      const r = sys.run([certutil, '-L', '-d', db, '-n', ca.name, '-a']);
      return r.code === 0 && holds(r.out, ca);
    };
    return {
      label,
      status,
      install() {
        if (status()) return false;
        if (create && !sys.exists(path.posix.join(dir, 'cert9.db'))) {
          fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
          must(sys, label, [certutil, '-N', '-d', db, '--empty-password']);
        }
        // An older entry of the same name (another CA with the same fingerprint prefix cannot be): replace it.
        sys.run([certutil, '-D', '-d', db, '-n', ca.name]);
        must(sys, label, [certutil, '-A', '-d', db, '-t', 'C,,', '-n', ca.name, '-a'], ca.pem);
        return true;
      },
      uninstall() {
        if (!status()) return false;
        must(sys, label, [certutil, '-D', '-d', db, '-n', ca.name]);
        return true;
      },
    };
  });
}
