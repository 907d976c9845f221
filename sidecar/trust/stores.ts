// The trust stores `trust` knows, each with how to tell, add and remove our CA. A CA goes in under a
// name made from its fingerprint (TrustCa.name), so --uninstall removes exactly what --install added and
// --status finds it; nothing of anyone else's is touched. Commands run with argument vectors, never a
// shell. Which stores exist on Linux follows mkcert's truststore_linux.go.
import path from 'node:path';
import type { TrustCa } from './ca.js';
import { javaStore } from './java.js';
import { linuxSystemStore, nssStores } from './linux.js';
import { macosCommands, platformStore, windowsCommands } from './platforms.js';
import type { Store, System } from './system.js';

export { javaStore } from './java.js';
export { LINUX_SYSTEM_STORES, linuxSystemStore, nssDatabases, nssStores, type LinuxSystemStore } from './linux.js';
export { macosCommands, windowsCommands, type PlatformCommands } from './platforms.js';
export { commandLine, nodeSystem, type Argv, type Store, type System } from './system.js';

/** Every store of this machine that `trust` works on, in the order it reports them. */
export function storesFor(ca: TrustCa, sys: System, opts: { java: boolean }): Store[] {
  const stores: Store[] = [];
  if (sys.platform === 'darwin') {
    stores.push(
      platformStore(
        `login keychain (${path.posix.join(sys.env.HOME ?? '~', 'Library/Keychains/login.keychain-db')})`,
        macosCommands(ca, sys.env.HOME ?? '~'),
        sys,
      ),
    );
  } else if (sys.platform === 'win32') {
    stores.push(platformStore('Windows current-user Root store', windowsCommands(ca), sys));
  } else {
    stores.push(linuxSystemStore(ca, sys), ...nssStores(ca, sys));
  }
  if (opts.java) stores.push(javaStore(ca, sys));
  return stores;
}
