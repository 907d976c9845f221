// --help texts. The settings block comes from the one table of settings (settings/table.ts).
import { settingsHelp } from '../settings/table.js';
declare const __VERSION__: string;
export const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

/** The --help text of `cmd` (or the general one), built only when asked for. */
export function helpText(cmd: string | undefined): string {
  const SETTINGS = settingsHelp();
  const HELP: Record<string, string> = {
    general:
      `kestrel-cert-sidecar ${VERSION}: validates, converts and publishes TLS certificates for ASP.NET Core ` +
      `Kestrel

usage: kestrel-cert-sidecar <command> [options]

commands:
  init     load, validate, convert and publish once (exit 0 when a valid set is published)
  watch    init, then keep the set current; serves /healthz, /readyz, /metrics, /status
  check    load and validate only; --json prints the report (exit 0 valid, 4 invalid)
  probe    --url URL: confirm a server serves the published certificate (exit 0 match, 6 not)
  trust    --install, --uninstall, --status or --print: the development CA in this machine's trust stores

${SETTINGS}

exit codes: 0 ok, 1 internal error, 2 configuration, 3 input missing or unreadable,
            4 input invalid, 5 output not writable, 6 probe mismatch or unreachable`,
    init: `usage: kestrel-cert-sidecar init [options]

Loads the source (or generates a certificate when KCS_SOURCE is unset), validates it, converts it and
publishes tls.crt, tls.key, ca.crt, cert.pfx, kestrel.env, kestrel.json, trust/ and manifest.json to
KCS_OUTPUT in one atomic step. An unchanged set is not republished.

${SETTINGS}`,
    check: `usage: kestrel-cert-sidecar check [--json] [options]

Loads and validates the source and prints the chain and every finding; publishes nothing. Without
KCS_SOURCE it checks the set already published in KCS_OUTPUT. Exit 0 when valid, 4 when not.

${SETTINGS}`,
    watch: `usage: kestrel-cert-sidecar watch [options]

Runs init, then watches the source, the password file and the expiry, republishing when they change.
An invalid source never replaces the published set. Serves health on KCS_HEALTH_PORT.

${SETTINGS}`,
    probe:
      'usage: kestrel-cert-sidecar probe --url https://host:port ' +
      `[--expect-sha256 FP] [--ca FILE | --insecure] [--wait 30s] [--json]

Connects over TLS and compares the served certificate's SHA-256 with KCS_OUTPUT/manifest.json (or
--expect-sha256). Trusts KCS_OUTPUT/ca.crt unless --ca or --insecure is given. Exit 0 on a match, 6 otherwise.`,
    trust: `usage: kestrel-cert-sidecar trust --install | --uninstall | --status | --print [--ca FILE] [--java]

The CA is --ca FILE, else the development CA in KCS_STATE, else KCS_OUTPUT/ca.crt.
  --install    add it to this machine's trust stores: on Linux the system store (needs root; says the
               command otherwise) and the NSS databases of Chromium and every Firefox profile (certutil);
               on macOS the login keychain; on Windows the current user's Root store. Idempotent.
  --uninstall  remove exactly what --install added (found by the CA's fingerprint)
  --status     list the stores and whether each trusts it
  --print      write its PEM to stdout (works in the image: docker compose run --rm certs trust --print > ca.crt)
  --java       also Java's cacerts (JAVA_HOME, else the keytool on PATH)
Exit 0 when every store that could be changed was; 5 (TRUST_STORE_FAILED) when one refused.`,
  };
  return HELP[cmd !== undefined && Object.hasOwn(HELP, cmd) ? cmd : 'general']!;
}
