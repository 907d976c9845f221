// Java's cacerts (with --java): the JDK of JAVA_HOME, else of the keytool on PATH.
import fs from 'node:fs';
import path from 'node:path';
import type { TrustCa } from './ca.js';
import { commandLine, holds, must, unavailableStore, type Store, type System } from './system.js';

// --- Java ----------------------------------------------------------------------------------

/** The store password of every JDK's cacerts as shipped: public, not a secret. */
export const CACERTS_PASSWORD = 'changeit';

export function javaStore(ca: TrustCa, sys: System): Store {
  const javaHome = sys.env.JAVA_HOME;
  const keytool = javaHome
    ? path.join(javaHome, 'bin', sys.platform === 'win32' ? 'keytool.exe' : 'keytool')
    : sys.which('keytool');
  if (!keytool || !sys.exists(keytool))
    return unavailableStore('Java cacerts', 'no Java found: keytool is not on PATH and JAVA_HOME is unset');
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
  const alias = ['-alias', ca.name];
  const label = `Java cacerts (${keystore})`;
  const status = () => {
    const r = sys.run([keytool, '-exportcert', '-rfc', ...ks, '-alias', ca.name]);
    return r.code === 0 && holds(r.out, ca);
  };
  return {
    label,
    ...(writable
      ? {}
      : {
          needsRoot: {
            install: `sudo ${commandLine([keytool, '-importcert', '-noprompt', ...ks, ...alias, '-file', ca.file])}`,
            uninstall: `sudo ${commandLine([keytool, '-delete', ...ks, ...alias])}`,
          },
        }),
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
