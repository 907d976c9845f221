// Over 300 lines: one row per setting, and the rows are the point: the one table that drives reading, help and docs.
// Every setting, once: its variable, its flag (a secret has none: flags show up in `ps`), the kind of
// value it takes, its default, and what --help says of it. The key of each entry is its field in
// Config. config.ts reads every setting through this table (read.ts: env-var's accessors, one per
// kind), --help prints it (settingsHelp), --verbose shows it (describeSettings, secrets as ***), and
// test/unit/docs.test.ts holds docs/reference.md to it: variables, flags, defaults and choices.
import { KEY_TYPES, KESTREL_FORMATS, LOG_FORMATS, PFX_PROFILES } from './options.js';
import { PLACES } from './place.js';

/** What a setting's value is, and so which accessor reads it (read.ts). */
export type Kind = 'text' | 'path' | 'secret' | 'choice' | 'duration' | 'hostnames' | 'owner' | 'port';

export interface SettingSpec {
  env: string;
  flag?: string;
  /** What the flag takes, as --help shows it. */
  arg?: string;
  kind: Kind;
  /** The values a choice takes. */
  options?: readonly string[];
  /** The default, written as a user would write the value: it is read like one. */
  default?: string;
  /** What it is when unset and it has no fixed default (it depends on where and as whom it runs). */
  otherwise?: string;
  help: string;
}

export const DEFAULT_HOSTNAMES = ['localhost', '127.0.0.1', '::1', 'host.docker.internal', 'host.containers.internal'];

export const SETTINGS = {
  source: {
    env: 'KCS_SOURCE',
    flag: 'source',
    arg: 'DIR|FILE',
    kind: 'path',
    otherwise: 'generate a certificate',
    help: 'the input',
  },
  certFile: {
    env: 'KCS_CERT_FILE',
    flag: 'cert',
    arg: 'FILE',
    kind: 'text',
    otherwise: 'auto-detect',
    help: 'the certificate file, when the source holds several',
  },
  keyFile: {
    env: 'KCS_KEY_FILE',
    flag: 'key',
    arg: 'FILE',
    kind: 'text',
    otherwise: 'auto-detect',
    help: 'the key file, when the source holds several',
  },
  certEntry: {
    env: 'KCS_CERT_ENTRY',
    flag: 'cert-entry',
    arg: 'NAME|SHA256',
    kind: 'text',
    help: 'the entry of a keystore with several keys (alias or thumbprint)',
  },
  password: { env: 'KCS_PASSWORD', kind: 'secret', help: 'password of the input PFX or encrypted key' },
  passwordFile: {
    env: 'KCS_PASSWORD_FILE',
    flag: 'password-file',
    arg: 'FILE',
    kind: 'path',
    help: 'file holding that password (one trailing newline stripped)',
  },
  userSecrets: {
    env: 'KCS_USER_SECRETS',
    flag: 'user-secrets',
    arg: 'FILE',
    kind: 'path',
    help: 'a secrets.json holding Kestrel:Certificates:Development:Password',
  },
  output: {
    env: 'KCS_OUTPUT',
    flag: 'output',
    arg: 'DIR',
    kind: 'path',
    default: './out',
    help: 'the shared volume; the image sets /https',
  },
  mountPath: {
    env: 'KCS_MOUNT_PATH',
    flag: 'mount-path',
    arg: 'DIR',
    kind: 'text',
    otherwise: 'the output',
    help: 'where the app sees the volume',
  },
  outputPassword: {
    env: 'KCS_OUTPUT_PASSWORD',
    kind: 'secret',
    otherwise: 'the input password, else one generated once and kept',
    help: 'password of the published cert.pfx',
  },
  outputPasswordFile: {
    env: 'KCS_OUTPUT_PASSWORD_FILE',
    flag: 'output-password-file',
    arg: 'FILE',
    kind: 'path',
    help: 'file holding that password',
  },
  hostnames: {
    env: 'KCS_HOSTNAMES',
    flag: 'hostnames',
    arg: 'LIST',
    kind: 'hostnames',
    default: DEFAULT_HOSTNAMES.join(','),
    help: 'names and IPs to cover (generated: the SANs; a mounted source is checked only when it is set)',
  },
  minValidityMs: {
    env: 'KCS_MIN_VALIDITY',
    flag: 'min-validity',
    arg: 'DUR',
    kind: 'duration',
    default: '1h',
    help: 'fail when expiring sooner',
  },
  owner: {
    env: 'KCS_OWNER',
    flag: 'owner',
    arg: 'UID:GID',
    kind: 'owner',
    otherwise: '1654:1654 as root, else the current user',
    help: 'owner of published files',
  },
  kestrelFormat: {
    env: 'KCS_KESTREL_FORMAT',
    flag: 'kestrel-format',
    arg: 'F',
    kind: 'choice',
    options: KESTREL_FORMATS,
    default: 'pem',
    help: 'how Kestrel reads the set',
  },
  kestrelEndpoint: {
    env: 'KCS_KESTREL_ENDPOINT',
    flag: 'kestrel-endpoint',
    arg: 'URL',
    kind: 'text',
    help: 'declare this HTTPS endpoint (https://+:8081) with the certificate in kestrel.env, so Kestrel reloads it',
  },
  kestrelHttpEndpoint: {
    env: 'KCS_KESTREL_HTTP_ENDPOINT',
    flag: 'kestrel-http-endpoint',
    arg: 'URL',
    kind: 'text',
    help: "with it, the app's plain HTTP endpoint (http://+:8080), which declared endpoints would drop",
  },
  pfxProfile: {
    env: 'KCS_PFX_PROFILE',
    flag: 'pfx-profile',
    arg: 'P',
    kind: 'choice',
    options: PFX_PROFILES,
    default: 'modern',
    help: 'the encryption of cert.pfx',
  },
  keyType: {
    env: 'KCS_KEY_TYPE',
    flag: 'key-type',
    arg: 'T',
    kind: 'choice',
    options: KEY_TYPES,
    default: 'rsa-2048',
    help: 'the key of a generated leaf',
  },
  validityMs: {
    env: 'KCS_VALIDITY',
    flag: 'validity',
    arg: 'DUR',
    kind: 'duration',
    default: '90d',
    help: 'lifetime of a generated leaf, 1h to 825d',
  },
  state: {
    env: 'KCS_STATE',
    flag: 'state',
    arg: 'DIR',
    kind: 'path',
    otherwise: 'the per-user data directory on a host, /state when a volume is there in the image',
    help: 'private directory keeping the dev CA',
  },
  runsIn: {
    env: 'KCS_RUNS_IN',
    flag: 'runs-in',
    arg: 'WHERE',
    kind: 'choice',
    options: PLACES,
    default: 'host',
    help: 'decides the default KCS_STATE and the guidance init prints (the image sets container)',
  },
  appName: {
    env: 'KCS_APP_NAME',
    flag: 'app-name',
    arg: 'N',
    kind: 'text',
    help: 'with KCS_USER_SECRETS_ID: also publish the Development-certificate layout',
  },
  userSecretsId: {
    env: 'KCS_USER_SECRETS_ID',
    flag: 'user-secrets-id',
    arg: 'ID',
    kind: 'text',
    help: 'the <UserSecretsId> of the app, for that layout',
  },
  healthPort: {
    env: 'KCS_HEALTH_PORT',
    flag: 'health-port',
    arg: 'N',
    kind: 'port',
    default: '8089',
    help: 'watch: health server port (0: any free port)',
  },
  healthAddress: {
    env: 'KCS_HEALTH_ADDRESS',
    flag: 'health-address',
    arg: 'ADDR',
    kind: 'text',
    otherwise: 'every address',
    help: 'watch: address it listens on',
  },
  watchMode: {
    env: 'KCS_WATCH_MODE',
    flag: 'watch-mode',
    arg: 'M',
    kind: 'choice',
    options: ['auto', 'events', 'poll'],
    default: 'auto',
    help: 'watch: inotify events, or a stat every 2 s; auto polls 9p, FUSE, virtiofs, SMB and NFS mounts',
  },
  logFormat: {
    env: 'KCS_LOG_FORMAT',
    flag: 'log-format',
    arg: 'F',
    kind: 'choice',
    options: LOG_FORMATS,
    default: 'text',
    help: 'how findings and logs are written',
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;
type Table = typeof SETTINGS;

/** The value each kind reads to. */
interface KindValues {
  text: string;
  path: string;
  secret: string;
  duration: number;
  hostnames: string[];
  owner: { uid: number; gid: number };
  port: number;
}
type ValueOf<S> = S extends { kind: 'choice'; options: readonly (infer O)[] }
  ? O
  : S extends { kind: infer K extends keyof KindValues }
    ? KindValues[K]
    : never;
type WithDefault = { [K in SettingName]: Table[K] extends { default: string } ? K : never }[SettingName];

/** The settings as read: one field per setting, present when it has a default (or was set). */
export type SettingValues = { [K in WithDefault]: ValueOf<Table[K]> } & {
  [K in Exclude<SettingName, WithDefault>]?: ValueOf<Table[K]>;
};

/** The entries of the table, typed for iteration. */
export const SETTING_ENTRIES = Object.entries(SETTINGS) as [SettingName, SettingSpec][];

/** Every KCS_* variable. */
export const SETTING_VARIABLES: readonly string[] = SETTING_ENTRIES.map(([, s]) => s.env);

/** What --help says after a setting's help: its choices and its default. */
function defaultNote(s: SettingSpec): string {
  const choices = s.options ? `: ${s.options.join(', ')}` : '';
  const dflt =
    s.default !== undefined ? `default ${s.default}` : s.otherwise !== undefined ? `default: ${s.otherwise}` : '';
  return `${choices}${dflt ? ` (${dflt})` : ''}`;
}

/** The settings block of --help, one setting a line (long help wrapped under its column). */
export function settingsHelp(): string {
  const WIDTH = 110;
  const lines = ['settings (flag, or environment variable; the flag wins):'];
  for (const [, s] of SETTING_ENTRIES) {
    const flag = s.flag ? `--${s.flag} ${s.arg ?? ''}`.trimEnd() : '(secret)';
    const head = `  ${flag.padEnd(29)}${s.env.padEnd(26)}`;
    let line = head;
    for (const w of `${s.help}${defaultNote(s)}`.split(' ')) {
      if (line.length + w.length + 1 > WIDTH && line.trim().length > head.trim().length) {
        lines.push(line.trimEnd());
        line = ' '.repeat(head.length);
      }
      line += `${w} `;
    }
    lines.push(line.trimEnd());
  }
  lines.push(
    '  --verbose                    print effective settings (secrets as ***) and stack traces of internal errors',
  );
  return lines.join('\n');
}
