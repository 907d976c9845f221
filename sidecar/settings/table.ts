// Every setting, once: its variable, its flag (a secret has none: flags show up in `ps`), the value
// it takes, and what --help says of it. config.ts reads the settings through this table, --help prints
// it (settingsHelp), --verbose shows each of them (secrets as ***), and a test holds docs/reference.md
// to it, variable by variable and flag by flag.

export interface SettingSpec {
  env: string;
  flag?: string;
  /** What the flag takes, as --help shows it. */
  arg?: string;
  secret?: boolean;
  help: string;
}

export const SETTINGS = {
  source: { env: 'KCS_SOURCE', flag: 'source', arg: 'DIR|FILE', help: 'the input; unset: generate a certificate' },
  certFile: { env: 'KCS_CERT_FILE', flag: 'cert', arg: 'FILE', help: 'the certificate file, when the source holds several' },
  keyFile: { env: 'KCS_KEY_FILE', flag: 'key', arg: 'FILE', help: 'the key file, when the source holds several' },
  certEntry: { env: 'KCS_CERT_ENTRY', flag: 'cert-entry', arg: 'NAME|SHA256', help: 'the entry of a keystore with several keys (alias or thumbprint)' },
  password: { env: 'KCS_PASSWORD', secret: true, help: 'password of the input PFX or encrypted key' },
  passwordFile: { env: 'KCS_PASSWORD_FILE', flag: 'password-file', arg: 'FILE', help: 'file holding that password (one trailing newline stripped)' },
  userSecrets: { env: 'KCS_USER_SECRETS', flag: 'user-secrets', arg: 'FILE', help: 'a secrets.json holding Kestrel:Certificates:Development:Password' },
  output: { env: 'KCS_OUTPUT', flag: 'output', arg: 'DIR', help: 'the shared volume (default ./out; the image sets /https)' },
  mountPath: { env: 'KCS_MOUNT_PATH', flag: 'mount-path', arg: 'DIR', help: 'where the app sees the volume (default: the output)' },
  outputPassword: { env: 'KCS_OUTPUT_PASSWORD', secret: true, help: 'password of the published cert.pfx' },
  outputPasswordFile: { env: 'KCS_OUTPUT_PASSWORD_FILE', flag: 'output-password-file', arg: 'FILE', help: 'file holding that password' },
  hostnames: { env: 'KCS_HOSTNAMES', flag: 'hostnames', arg: 'LIST', help: 'names and IPs to cover (generated: the SANs)' },
  minValidity: { env: 'KCS_MIN_VALIDITY', flag: 'min-validity', arg: 'DUR', help: 'fail when expiring sooner (default 1h)' },
  owner: { env: 'KCS_OWNER', flag: 'owner', arg: 'UID:GID', help: 'owner of published files (root default 1654:1654)' },
  kestrelFormat: { env: 'KCS_KESTREL_FORMAT', flag: 'kestrel-format', arg: 'F', help: 'pem (default) or pfx' },
  pfxProfile: { env: 'KCS_PFX_PROFILE', flag: 'pfx-profile', arg: 'P', help: 'modern (default) or legacy-3des' },
  keyType: { env: 'KCS_KEY_TYPE', flag: 'key-type', arg: 'T', help: 'rsa-2048 (default), rsa-3072, ecdsa-p256' },
  validity: { env: 'KCS_VALIDITY', flag: 'validity', arg: 'DUR', help: 'lifetime of a generated leaf (default 90d)' },
  state: { env: 'KCS_STATE', flag: 'state', arg: 'DIR', help: 'private directory keeping the dev CA (default: the per-user data directory on a host, /state when a volume is there in the image)' },
  appName: { env: 'KCS_APP_NAME', flag: 'app-name', arg: 'N', help: 'with KCS_USER_SECRETS_ID: also publish the Development-certificate layout' },
  userSecretsId: { env: 'KCS_USER_SECRETS_ID', flag: 'user-secrets-id', arg: 'ID', help: 'the <UserSecretsId> of the app, for that layout' },
  healthPort: { env: 'KCS_HEALTH_PORT', flag: 'health-port', arg: 'N', help: 'watch: health server port (default 8089)' },
  healthAddress: { env: 'KCS_HEALTH_ADDRESS', flag: 'health-address', arg: 'ADDR', help: 'watch: address it listens on (default: every address)' },
  logFormat: { env: 'KCS_LOG_FORMAT', flag: 'log-format', arg: 'F', help: 'text (default) or json' },
  runsIn: { env: 'KCS_RUNS_IN', flag: 'runs-in', arg: 'WHERE', help: 'host (default) or container (the image sets it): decides the default KCS_STATE and the guidance init prints' },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;

/** Every KCS_* variable. */
export const SETTING_VARIABLES: readonly string[] = Object.values(SETTINGS).map((s) => s.env);

/** The settings block of --help, one setting a line (long help wrapped under its column). */
export function settingsHelp(): string {
  const WIDTH = 110;
  const lines = ['settings (flag, or environment variable; the flag wins):'];
  for (const s of Object.values(SETTINGS) as readonly SettingSpec[]) {
    const flag = s.flag ? `--${s.flag} ${s.arg ?? ''}`.trimEnd() : '(secret)';
    const head = `  ${flag.padEnd(29)}${s.env.padEnd(26)}`;
    const words = s.help.split(' ');
    let line = head;
    for (const w of words) {
      if (line.length + w.length + 1 > WIDTH && line.trim().length > head.trim().length) {
        lines.push(line.trimEnd());
        line = ' '.repeat(head.length);
      }
      line += `${w} `;
    }
    lines.push(line.trimEnd());
  }
  lines.push('  --verbose                    print effective settings (secrets as ***) and stack traces of internal errors');
  return lines.join('\n');
}
