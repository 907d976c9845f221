// The trust stores `trust` knows, each with how to tell, add and remove our CA. A CA goes in under a
// name made from its fingerprint (TrustCa.name), so --uninstall removes exactly what --install added and
// --status finds it; nothing of anyone else's is touched. Commands run with argument vectors, never a
// shell. Which stores exist on Linux follows mkcert's truststore_linux.go.
import cp from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fail } from '../findings.js';
import type { TrustCa } from './ca.js';

export type Argv = readonly string[];

/** What the stores need of the machine; tests pass their own. */
export interface System {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  isRoot: boolean;
  exists(p: string): boolean;
  /** The path of a command on PATH, if any. */
  which(cmd: string): string | undefined;
  run(argv: Argv, input?: string): { code: number; out: string };
}

export interface Store {
  label: string;
  /** Why it cannot be used here, and the fix. */
  unavailable?: string;
  /** When changing it needs root and this is not root: what to run instead. */
  needsRoot?: { install: string; uninstall: string };
  status(): boolean;
  /** Adds the CA; false when it was there already. */
  install(): boolean;
  /** Removes the CA; false when it was not there. */
  uninstall(): boolean;
}

export function nodeSystem(env: NodeJS.ProcessEnv): System {
  return {
    platform: process.platform,
    env,
    isRoot: process.geteuid?.() === 0,
    exists: (p) => fs.existsSync(p),
    which(cmd) {
      for (const dir of (env.PATH ?? '').split(path.delimiter)) {
        const file = path.join(dir, cmd);
        try {
          fs.accessSync(file, fs.constants.X_OK);
          if (fs.statSync(file).isFile()) return file;
        } catch {
          // not here
        }
      }
      return undefined;
    },
    run(argv, input) {
      const r = cp.spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env, input, timeout: 120_000 });
      return { code: r.error ? 127 : (r.status ?? 1), out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
    },
  };
}

const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
export const commandLine = (argv: Argv) => argv.map(quote).join(' ');

/** Runs a command that changes a store; a failure is TRUST_STORE_FAILED with its last line. */
function must(sys: System, label: string, argv: Argv, input?: string): string {
  const r = sys.run(argv, input);
  if (r.code !== 0) {
    const last = r.out.trim().split('\n').pop() ?? '';
    fail('TRUST_STORE_FAILED', `${label}: \`${commandLine(argv)}\` failed (exit ${r.code})${last ? `: ${last}` : ''}`, 'run that command yourself to see the whole error; `trust --status` shows where the CA is trusted now');
  }
  return r.out;
}

const body = (pem: string) => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
const holds = (text: string, ca: TrustCa) => text.replace(/\s+/g, '').includes(body(ca.pem));

/** Reads a file, or undefined. */
function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

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
  { distro: 'Fedora/RHEL', dir: '/etc/pki/ca-trust/source/anchors', ext: '.pem', refresh: ['update-ca-trust', 'extract'], refreshRemoved: ['update-ca-trust', 'extract'], bundle: '/etc/pki/tls/certs/ca-bundle.crt' },
  { distro: 'Debian/Ubuntu', dir: '/usr/local/share/ca-certificates', ext: '.crt', refresh: ['update-ca-certificates'], refreshRemoved: ['update-ca-certificates', '--fresh'], bundle: '/etc/ssl/certs/ca-certificates.crt' },
  { distro: 'Arch', dir: '/etc/ca-certificates/trust-source/anchors', ext: '.crt', refresh: ['trust', 'extract-compat'], refreshRemoved: ['trust', 'extract-compat'], bundle: '/etc/ssl/certs/ca-certificates.crt' },
  { distro: 'openSUSE', dir: '/usr/share/pki/trust/anchors', ext: '.pem', refresh: ['update-ca-certificates'], refreshRemoved: ['update-ca-certificates'], bundle: '/etc/ssl/ca-bundle.pem' },
];

export function linuxSystemStore(ca: TrustCa, sys: System): Store {
  const s = LINUX_SYSTEM_STORES.find((d) => sys.exists(d.dir));
  if (!s) {
    return { label: 'system store', unavailable: `none of ${LINUX_SYSTEM_STORES.map((d) => d.dir).join(', ')} exists on this Linux: add ${ca.file} to its trust store by hand`, status: () => false, install: () => false, uninstall: () => false };
  }
  const file = path.posix.join(s.dir, `${ca.name}${s.ext}`);
  const refresh = commandLine(s.refresh);
  const refreshRemoved = commandLine(s.refreshRemoved);
  const ours = () => {
    const text = read(file);
    return text !== undefined && holds(text, ca);
  };
  const status = () => ours() && holds(read(s.bundle) ?? '', ca);
  return {
    label: `system store (${s.distro}: ${file})`,
    ...(sys.isRoot ? {} : { needsRoot: { install: `sudo cp ${quote(ca.file)} ${file} && sudo ${refresh}`, uninstall: `sudo rm ${file} && sudo ${refreshRemoved}` } }),
    status,
    install() {
      if (status()) return false;
      fs.writeFileSync(file, ca.pem, { mode: 0o644 });
      fs.chmodSync(file, 0o644);
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

/** The NSS databases of a home: Chromium's (~/.pki/nssdb, made when missing, as Chromium would) and every Firefox profile's. */
export function nssDatabases(home: string, sys: System): { label: string; dir: string; create: boolean }[] {
  const dbs = [{ label: `NSS for Chromium (${path.posix.join(home, '.pki/nssdb')})`, dir: path.posix.join(home, '.pki/nssdb'), create: true }];
  const snapChromium = path.posix.join(home, 'snap/chromium/current/.pki/nssdb');
  if (sys.exists(snapChromium)) dbs.push({ label: `NSS for Chromium (snap: ${snapChromium})`, dir: snapChromium, create: false });
  for (const root of ['.mozilla/firefox', '.mozilla/firefox-esr', 'snap/firefox/common/.mozilla/firefox']) {
    let entries: string[] = [];
    try {
      entries = fs.readdirSync(path.posix.join(home, root)).sort();
    } catch {
      continue;
    }
    for (const e of entries) {
      const dir = path.posix.join(home, root, e);
      if (sys.exists(path.posix.join(dir, 'cert9.db'))) dbs.push({ label: `NSS for Firefox (profile ${dir})`, dir, create: false });
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
    return [{ label: 'NSS (Chromium, Firefox)', unavailable: `certutil is not installed: ${certutilPackage(sys)}`, status: () => false, install: () => false, uninstall: () => false }];
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

// --- Java ----------------------------------------------------------------------------------

/** The store password of every JDK's cacerts as shipped: public, not a secret. */
const CACERTS_PASSWORD = 'changeit';

export function javaStore(ca: TrustCa, sys: System): Store {
  const javaHome = sys.env.JAVA_HOME;
  const keytool = javaHome ? path.join(javaHome, 'bin', sys.platform === 'win32' ? 'keytool.exe' : 'keytool') : sys.which('keytool');
  if (!keytool || !sys.exists(keytool)) return { label: 'Java cacerts', unavailable: 'no Java found: keytool is not on PATH and JAVA_HOME is unset', status: () => false, install: () => false, uninstall: () => false };
  let home = javaHome;
  if (!home) {
    try {
      home = path.dirname(path.dirname(fs.realpathSync(keytool)));
    } catch {
      home = path.dirname(path.dirname(keytool));
    }
  }
  const keystore = path.join(home, 'lib', 'security', 'cacerts');
  let writable = false;
  try {
    fs.accessSync(fs.realpathSync(keystore), fs.constants.W_OK);
    writable = true;
  } catch {
    // read-only to us: needs root (or the JDK's owner)
  }
  const ks = ['-keystore', keystore, '-storepass', CACERTS_PASSWORD];
  const label = `Java cacerts (${keystore})`;
  const status = () => {
    const r = sys.run([keytool, '-exportcert', '-rfc', ...ks, '-alias', ca.name]);
    return r.code === 0 && holds(r.out, ca);
  };
  return {
    label,
    ...(writable ? {} : { needsRoot: { install: `sudo ${commandLine([keytool, '-importcert', '-noprompt', ...ks, '-alias', ca.name, '-file', ca.file])}`, uninstall: `sudo ${commandLine([keytool, '-delete', ...ks, '-alias', ca.name])}` } }),
    status,
    install() {
      if (status()) return false;
      sys.run([keytool, '-delete', ...ks, '-alias', ca.name]);
      must(sys, label, [keytool, '-importcert', '-noprompt', ...ks, '-alias', ca.name], ca.pem);
      return true;
    },
    uninstall() {
      if (!status()) return false;
      must(sys, label, [keytool, '-delete', ...ks, '-alias', ca.name]);
      return true;
    },
  };
}

// --- macOS and Windows: the platform's own command -------------------------------------------

export interface PlatformCommands {
  install: Argv[];
  uninstall: Argv[];
  /** Lists what the store holds; `found` tells whether our CA is among it. */
  status: Argv;
  found(out: string): boolean;
}

/** The login keychain of the user: no root, and macOS asks for the user's password to trust it. */
export function macosCommands(ca: TrustCa, home: string): PlatformCommands {
  const keychain = path.posix.join(home, 'Library/Keychains/login.keychain-db');
  return {
    install: [['security', 'add-trusted-cert', '-r', 'trustRoot', '-k', keychain, ca.file]],
    uninstall: [
      ['security', 'remove-trusted-cert', ca.file],
      ['security', 'delete-certificate', '-Z', ca.sha1, keychain],
    ],
    status: ['security', 'find-certificate', '-a', '-Z', keychain],
    found: (out) => out.toUpperCase().includes(`SHA-1 HASH: ${ca.sha1}`),
  };
}

/** The current user's Root store: no administrator rights needed; Windows asks to confirm. */
export function windowsCommands(ca: TrustCa): PlatformCommands {
  return {
    install: [['certutil', '-addstore', '-user', 'Root', ca.file]],
    uninstall: [['certutil', '-delstore', '-user', 'Root', ca.sha1]],
    status: ['certutil', '-user', '-store', 'Root', ca.sha1],
    found: (out) => out.replace(/\s+/g, '').toUpperCase().includes(ca.sha1),
  };
}

function platformStore(label: string, cmds: PlatformCommands, sys: System): Store {
  const status = () => {
    const r = sys.run(cmds.status);
    return r.code === 0 && cmds.found(r.out);
  };
  return {
    label,
    status,
    install() {
      if (status()) return false;
      for (const argv of cmds.install) must(sys, label, argv);
      return true;
    },
    uninstall() {
      if (!status()) return false;
      for (const argv of cmds.uninstall) must(sys, label, argv);
      return true;
    },
  };
}

/** Every store of this machine that `trust` works on, in the order it reports them. */
export function storesFor(ca: TrustCa, sys: System, opts: { java: boolean }): Store[] {
  const stores: Store[] = [];
  if (sys.platform === 'darwin') {
    stores.push(platformStore(`login keychain (${path.posix.join(sys.env.HOME ?? '~', 'Library/Keychains/login.keychain-db')})`, macosCommands(ca, sys.env.HOME ?? '~'), sys));
  } else if (sys.platform === 'win32') {
    stores.push(platformStore('Windows current-user Root store', windowsCommands(ca), sys));
  } else {
    stores.push(linuxSystemStore(ca, sys), ...nssStores(ca, sys));
  }
  if (opts.java) stores.push(javaStore(ca, sys));
  return stores;
}
