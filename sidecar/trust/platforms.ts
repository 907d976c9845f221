// macOS and Windows: the platform's own command (security, certutil.exe), as a user and without root.
import path from 'node:path';
import type { TrustCa } from './ca.js';
import { must, type Argv, type Store, type System } from './system.js';

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

export function platformStore(label: string, cmds: PlatformCommands, sys: System): Store {
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
