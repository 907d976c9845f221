// `trust`: the CA into the trust stores of this machine (--install), out again (--uninstall), where it is
// trusted (--status), or its PEM on stdout (--print, which also works in the image, to get a compose
// project's CA onto the host). The system store needs root; everything else is done as the user, and a
// store that needs root says the command to run.
import type { Config } from '../settings/config.js';
import { ExitCode, KcsError, fail, formatFinding } from '../findings.js';
import { messages } from '../messages/index.js';
import type { Out } from '../out.js';
import { HOST_TRUST_STEPS } from '../settings/place.js';
import { findCa, type TrustCa } from './ca.js';
import { nodeSystem, storesFor, type Store, type System } from './stores.js';
import { certName, oneLine, subjectOf } from '../pkix/x509info.js';

function caLines(ca: TrustCa): string[] {
  return [
    `CA       ${oneLine(subjectOf(ca.cert)) || certName(ca.cert)}`,
    `sha256   ${ca.sha256.replace(/(..)(?!$)/g, '$1:')}`,
    `from     ${ca.file}`,
  ];
}

export function runTrust(cfg: Config, io: Out, sys: System = nodeSystem(process.env)): number {
  const action = cfg.trust.action!;
  if (cfg.runsIn === 'container' && (action === 'install' || action === 'uninstall')) {
    fail(messages.CONFIG_INVALID.trustInContainer({ action, steps: HOST_TRUST_STEPS }));
  }
  const ca = findCa(cfg, sys);
  if (action === 'print') {
    io.out(ca.pem);
    return ExitCode.ok;
  }
  const lines = caLines(ca);
  let failed: KcsError | undefined;
  const row = (store: Store, state: string) => lines.push(`${store.label}: ${state}`);
  for (const store of storesFor(ca, sys, { java: cfg.trust.java })) {
    if (store.unavailable) {
      row(store, `unavailable: ${store.unavailable}`);
      continue;
    }
    if (action === 'status') {
      row(store, store.status() ? 'trusted' : 'not trusted');
      continue;
    }
    if (store.needsRoot) {
      const done = store.status();
      if (done === (action === 'install')) row(store, action === 'install' ? 'already trusted' : 'not there');
      else
        row(
          store,
          `skipped: needs root; run: ${action === 'install' ? store.needsRoot.install : store.needsRoot.uninstall}`,
        );
      continue;
    }
    try {
      if (action === 'install') row(store, store.install() ? 'installed' : 'already trusted');
      else row(store, store.uninstall() ? 'removed' : 'not there');
    } catch (err) {
      if (!(err instanceof KcsError)) throw err;
      failed ??= err;
      row(store, `failed: ${formatFinding(err.finding).split('\n')[0]}`);
    }
  }
  if (!cfg.trust.java) lines.push('Java cacerts: not asked (add --java)');
  if (sys.isRoot && sys.env.SUDO_USER && action !== 'status')
    lines.push(
      `note: this ran as root, so the NSS databases were root's, not ${sys.env.SUDO_USER}'s: run it again without ` +
        'sudo for your own browsers',
    );
  if (action === 'install' && sys.platform === 'linux')
    lines.push('browsers that were open read the change when restarted');
  io.out(`${lines.join('\n')}\n`);
  if (failed) throw failed;
  return ExitCode.ok;
}
