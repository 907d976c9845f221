// --help texts. The README lists the same settings.
declare const __VERSION__: string;
export const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

const SETTINGS = `settings (flag, or environment variable; the flag wins):
  --source DIR|FILE         KCS_SOURCE            the input; unset: generate a certificate
  --cert FILE, --key FILE   KCS_CERT_FILE, KCS_KEY_FILE   pick files when the source holds several
  --cert-entry NAME|SHA256  KCS_CERT_ENTRY        pick the entry of a keystore with several keys (alias or thumbprint)
  (secret)                  KCS_PASSWORD          password of the input PFX or encrypted key
  --password-file FILE      KCS_PASSWORD_FILE     file holding that password (one trailing newline stripped)
  --user-secrets FILE       KCS_USER_SECRETS      a secrets.json holding Kestrel:Certificates:Development:Password
  --output DIR              KCS_OUTPUT            the shared volume (default ./out; the image sets /https)
  --mount-path DIR          KCS_MOUNT_PATH        where the app sees the volume (default: the output)
  (secret)                  KCS_OUTPUT_PASSWORD   password of the published cert.pfx
  --output-password-file F  KCS_OUTPUT_PASSWORD_FILE
  --hostnames LIST          KCS_HOSTNAMES         names and IPs to cover (generated: the SANs)
  --min-validity DUR        KCS_MIN_VALIDITY      fail when expiring sooner (default 1h)
  --owner UID:GID           KCS_OWNER             owner of published files (root default 1654:1654)
  --kestrel-format F        KCS_KESTREL_FORMAT    pem (default) or pfx
  --pfx-profile P           KCS_PFX_PROFILE       modern (default) or legacy-3des
  --key-type T              KCS_KEY_TYPE          rsa-2048 (default), rsa-3072, ecdsa-p256
  --validity DUR            KCS_VALIDITY          lifetime of a generated leaf (default 90d)
  --state DIR               KCS_STATE             private directory keeping the dev CA (default: the per-user data
                                                  directory on a host, /state when a volume is there in the image)
  --runs-in WHERE           KCS_RUNS_IN           host (default) or container (the image sets it): decides that default
                                                  and the guidance init prints
  --app-name N, --user-secrets-id ID   KCS_APP_NAME, KCS_USER_SECRETS_ID   also publish the Development-certificate layout
  --health-port N           KCS_HEALTH_PORT       watch: health server port (default 8089)
  --health-address ADDR     KCS_HEALTH_ADDRESS    watch: address it listens on (default: every address)
  --log-format F            KCS_LOG_FORMAT        text (default) or json
  --verbose                 print effective settings (secrets as ***) and stack traces of internal errors`;

export const HELP: Record<string, string> = {
  general: `kestrel-cert-sidecar ${VERSION}: validates, converts and publishes TLS certificates for ASP.NET Core Kestrel

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
  probe: `usage: kestrel-cert-sidecar probe --url https://host:port [--expect-sha256 FP] [--ca FILE | --insecure] [--wait 30s] [--json]

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
