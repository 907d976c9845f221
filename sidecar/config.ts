// Settings from the environment and the command line. Every flag has a KCS_* variable; the flag
// wins. Secrets come only from a variable or a file, never a flag: flags show up in `ps`.
import fs from 'node:fs';
import path from 'node:path';
import { ipv6Bytes, isIP } from './ip.js';
import url from 'node:url';
import { from as envFrom } from 'env-var';
import { KEY_TYPES, PFX_PROFILES, type KeyType, type PfxProfile } from './options.js';
import { fail } from './findings.js';
import { MAX_HOSTNAMES } from './limits.js';
import { KESTREL_FORMATS, type KestrelFormat } from './publish/kestrel.js';
import { PLACES, defaultState, type Place } from './place.js';

export const COMMANDS = ['init', 'watch', 'check', 'probe', 'trust'] as const;
export type Command = (typeof COMMANDS)[number];

export const DEFAULT_HOSTNAMES = ['localhost', '127.0.0.1', '::1', 'host.docker.internal', 'host.containers.internal'];
const LOG_FORMATS = ['text', 'json'] as const;

export interface Config {
  command: Command;
  source?: string;
  certFile?: string;
  keyFile?: string;
  /** KCS_CERT_ENTRY: which key entry of a keystore with several, by alias or SHA-256 thumbprint. */
  certEntry?: string;
  password?: string;
  passwordFile?: string;
  userSecrets?: string;
  output: string;
  mountPath: string;
  outputPassword?: string;
  outputPasswordFile?: string;
  hostnames: string[];
  /** True when KCS_HOSTNAMES was given; a mounted source is then checked against it. */
  hostnamesGiven: boolean;
  minValidityMs: number;
  owner?: { uid: number; gid: number };
  kestrelFormat: KestrelFormat;
  pfxProfile: PfxProfile;
  keyType: KeyType;
  validityMs: number;
  state?: string;
  /** True when KCS_STATE was not set and `state` is the default of where it runs (or undefined: none). */
  stateDefaulted: boolean;
  /** KCS_RUNS_IN: host (default) or container (the image sets it). */
  runsIn: Place;
  appName?: string;
  userSecretsId?: string;
  healthPort: number;
  /** Unset: every address. */
  healthAddress?: string;
  logFormat: (typeof LOG_FORMATS)[number];
  verbose: boolean;
  json: boolean;
  help: boolean;
  version: boolean;
  probe: { url?: string; expectSha256?: string; ca?: string; insecure: boolean; waitMs: number };
  /** `trust`: what to do, with which CA file (--ca), and whether Java's cacerts too. */
  trust: { action?: TrustAction; ca?: string; java: boolean };
}

export const TRUST_ACTIONS = ['print', 'install', 'uninstall', 'status'] as const;
export type TrustAction = (typeof TRUST_ACTIONS)[number];

/** Each setting: its variable, its flag, and whether it is a secret (never a flag, shown as ***). */
const SETTINGS = {
  source: { env: 'KCS_SOURCE', flag: 'source' },
  certFile: { env: 'KCS_CERT_FILE', flag: 'cert' },
  keyFile: { env: 'KCS_KEY_FILE', flag: 'key' },
  certEntry: { env: 'KCS_CERT_ENTRY', flag: 'cert-entry' },
  password: { env: 'KCS_PASSWORD', secret: true },
  passwordFile: { env: 'KCS_PASSWORD_FILE', flag: 'password-file' },
  userSecrets: { env: 'KCS_USER_SECRETS', flag: 'user-secrets' },
  output: { env: 'KCS_OUTPUT', flag: 'output' },
  mountPath: { env: 'KCS_MOUNT_PATH', flag: 'mount-path' },
  outputPassword: { env: 'KCS_OUTPUT_PASSWORD', secret: true },
  outputPasswordFile: { env: 'KCS_OUTPUT_PASSWORD_FILE', flag: 'output-password-file' },
  hostnames: { env: 'KCS_HOSTNAMES', flag: 'hostnames' },
  minValidity: { env: 'KCS_MIN_VALIDITY', flag: 'min-validity' },
  owner: { env: 'KCS_OWNER', flag: 'owner' },
  kestrelFormat: { env: 'KCS_KESTREL_FORMAT', flag: 'kestrel-format' },
  pfxProfile: { env: 'KCS_PFX_PROFILE', flag: 'pfx-profile' },
  keyType: { env: 'KCS_KEY_TYPE', flag: 'key-type' },
  validity: { env: 'KCS_VALIDITY', flag: 'validity' },
  state: { env: 'KCS_STATE', flag: 'state' },
  appName: { env: 'KCS_APP_NAME', flag: 'app-name' },
  userSecretsId: { env: 'KCS_USER_SECRETS_ID', flag: 'user-secrets-id' },
  healthPort: { env: 'KCS_HEALTH_PORT', flag: 'health-port' },
  healthAddress: { env: 'KCS_HEALTH_ADDRESS', flag: 'health-address' },
  logFormat: { env: 'KCS_LOG_FORMAT', flag: 'log-format' },
  runsIn: { env: 'KCS_RUNS_IN', flag: 'runs-in' },
} as const satisfies Record<string, { env: string; flag?: string; secret?: boolean }>;
type SettingName = keyof typeof SETTINGS;
/** Every KCS_* variable, for --help and the docs test. */
export const SETTING_VARIABLES: readonly string[] = Object.values(SETTINGS).map((s) => s.env);

const BOOLEAN_FLAGS = ['verbose', 'json', 'help', 'version', 'insecure', ...TRUST_ACTIONS, 'java'] as const;
const PROBE_FLAGS = ['url', 'expect-sha256', 'ca', 'wait'] as const;

const invalid = (message: string, hint: string): never => fail('CONFIG_INVALID', message, hint);

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

export function didYouMean(value: string, options: readonly string[]): string {
  const best = options.map((o) => ({ o, d: distance(value.toLowerCase(), o.toLowerCase()) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.max(2, Math.floor(best.o.length / 3)) ? ` (did you mean ${best.o}?)` : '';
}

function oneOf<T extends string>(name: string, value: string, options: readonly T[]): T {
  if ((options as readonly string[]).includes(value)) return value as T;
  return invalid(`${name} \`${value}\` is not valid: use one of ${options.join(', ')}${didYouMean(value, options)}`, `set ${name} to one of ${options.join(', ')}`);
}

/** `90d`, `12h`, `30m`, `45s`, `500ms`. */
export function parseDuration(name: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value.trim());
  if (!m) return invalid(`${name} \`${value}\` is not a duration: use a number and a unit, such as 90d, 12h, 30m or 45s`, `set ${name} to a value like 90d`);
  const unit = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[m[2] as 'ms'];
  return Math.round(Number(m[1]) * unit);
}

const DNS_NAME = /^(\*\.)?([a-z0-9_]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9_]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

export function parseHostnames(value: string): string[] {
  const names = [...new Set(value.split(/[\s,]+/).filter(Boolean))];
  if (names.length === 0) invalid('KCS_HOSTNAMES is empty', 'list at least one name, such as KCS_HOSTNAMES=localhost,api');
  if (names.length > MAX_HOSTNAMES) invalid(`KCS_HOSTNAMES lists ${names.length} names, more than ${MAX_HOSTNAMES}`, 'list only the names clients use to reach this service; use a wildcard such as *.example.test for many subdomains');
  for (const n of names) {
    const bare = n.replace(/^\[(.*)\]$/, '$1');
    if (isIP(bare) === 6 && ipv6Bytes(bare)!.subarray(0, 12).equals(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]))) {
      const v4 = [...ipv6Bytes(bare)!.subarray(12)].join('.');
      invalid(`KCS_HOSTNAMES address \`${n}\` is an IPv4-mapped IPv6 address: clients reach that host as ${v4}, and a certificate names it by its 4-byte address`, `write ${v4}`);
    }
    if (isIP(bare)) continue;
    // A name whose last label is all digits is no DNS name (RFC 3696 2): 999.1.1.1 or 1.2.3 is a
    // mistyped address, and a certificate would carry it as a name no client ever asks for.
    if (/(^|\.)\d+\.?$/.test(bare)) invalid(`KCS_HOSTNAMES name \`${n}\` is neither an IP address nor a DNS name (its last label is a number)`, 'write an IPv4 address as four numbers from 0 to 255, such as 10.0.0.5, or a DNS name such as api');
    if (/[^\x00-\x7f]/.test(n)) {
      const ascii = url.domainToASCII(n);
      invalid(`KCS_HOSTNAMES name \`${n}\` is not ASCII: certificates carry internationalized names in their punycode form`, ascii ? `write it as ${ascii}` : 'write the name in its punycode (xn--) form');
    }
    if (!DNS_NAME.test(n) || n.length > 253) invalid(`KCS_HOSTNAMES name \`${JSON.stringify(n).slice(1, -1)}\` is not a DNS name or IP address`, 'use names such as api, api.example.test, *.example.test, 10.0.0.5 or ::1');
  }
  return names;
}

/** Largest uid or gid: 4294967295 is (uid_t)-1, which chown(2) reads as "leave it unchanged". */
const MAX_ID = 4294967294;

function parseOwner(value: string): { uid: number; gid: number } {
  const m = /^(\d{1,10}):(\d{1,10})$/.exec(value.trim());
  if (!m || Number(m[1]) > MAX_ID || Number(m[2]) > MAX_ID) return invalid(`KCS_OWNER \`${value}\` is not valid: use uid:gid with numbers from 0 to ${MAX_ID}, such as 1654:1654`, 'set KCS_OWNER=1654:1654 (the app user of the ASP.NET Core images)');
  return { uid: Number(m[1]), gid: Number(m[2]) };
}

/** The real path of `p`, or of its nearest existing parent with the rest appended: what `p` will be. */
export function realPathOf(p: string): string {
  const rest: string[] = [];
  let dir = path.resolve(p);
  for (;;) {
    try {
      return path.join(fs.realpathSync(dir), ...rest.reverse());
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return path.resolve(p);
      rest.push(path.basename(dir));
      dir = parent;
    }
  }
}

/** Directories of the system that a publish would damage: the sidecar refuses them as KCS_OUTPUT. */
const SYSTEM_DIRS = ['/', '/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib32', '/lib64', '/libx32', '/media', '/mnt', '/opt', '/proc', '/root', '/run', '/sbin', '/srv', '/sys', '/tmp', '/usr', '/var', '/usr/bin', '/usr/sbin', '/usr/lib', '/usr/local', '/usr/local/bin', '/usr/share', '/var/lib', '/var/log', '/var/run', '/var/tmp', '/etc/ssl', '/etc/ssl/certs', '/etc/pki'];
/** ...nor anything under these, which belong to the kernel and the system's configuration. */
const SYSTEM_TREES = ['/proc', '/sys', '/dev', '/etc', '/boot', '/bin', '/sbin', '/lib', '/usr/bin', '/usr/sbin', '/usr/lib'];

function checkOutput(output: string): void {
  const real = realPathOf(output);
  const system = SYSTEM_DIRS.includes(real) || SYSTEM_TREES.some((t) => real.startsWith(`${t}/`));
  if (system) invalid(`KCS_OUTPUT ${output}${real !== output ? ` (${real})` : ''} is a system directory`, 'point KCS_OUTPUT at a directory of its own, such as a volume mounted at /https');
}

/**
 * The command line: `--name value`, `--name=value`, boolean flags, positionals, and `--` to end the
 * options. Strict: an unknown option, a missing value or a value given to a flag is an error. (Not
 * node:util parseArgs: loading and running it cold costs ~1 ms of every start, for a few arguments.)
 */
export function parseCommandLine(argv: readonly string[]): { values: Record<string, string | boolean>; positionals: string[] } {
  const options: Record<string, 'string' | 'boolean'> = {};
  for (const s of Object.values(SETTINGS) as { flag?: string }[]) if (s.flag) options[s.flag] = 'string';
  for (const f of PROBE_FLAGS) options[f] = 'string';
  for (const f of BOOLEAN_FLAGS) options[f] = 'boolean';
  const unknown = (arg: string): never => {
    const flag = arg.replace(/^-+/, '').replace(/=.*$/, '');
    const secretHint = /password|secret/i.test(flag) ? ' (secrets are never taken from flags, which show up in `ps`: use KCS_PASSWORD_FILE or KCS_PASSWORD)' : '';
    return invalid(`unknown option ${arg.replace(/=.*$/, '')}${didYouMean(flag, Object.keys(options)).replace(/did you mean /, 'did you mean --')}${secretHint}`, 'run with --help to list the options');
  };
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) unknown(arg);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const type = Object.hasOwn(options, name) ? options[name] : undefined;
    if (!type) unknown(arg);
    if (type === 'boolean') {
      if (eq >= 0) invalid(`option --${name} takes no value`, `write --${name} alone`);
      values[name] = true;
      continue;
    }
    if (eq >= 0) values[name] = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('-') && next !== '-')) {
        invalid(`option --${name} needs a value`, next === undefined ? `write --${name} <value>` : `write --${name}=${next} for a value that starts with a dash`);
      }
      values[name] = next!;
      i++;
    }
  }
  return { values, positionals };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv.slice(2)): Config {
  const { values, positionals } = parseCommandLine(argv);
  const flags = values as Record<string, string | boolean | undefined>;

  const known = new Set(Object.values(SETTINGS).map((s) => s.env as string));
  for (const name of Object.keys(env)) {
    if (name.startsWith('KCS_') && !known.has(name)) {
      invalid(`unknown setting ${name}${didYouMean(name, [...known])}`, `remove it, or use one of the settings the README lists`);
    }
  }
  // Flags override variables; both then go through one reader (env-var) so parsing is uniform.
  const merged: Record<string, string | undefined> = {};
  for (const [, s] of Object.entries(SETTINGS) as [SettingName, { env: string; flag?: string }][]) {
    const fromFlag = s.flag ? (flags[s.flag] as string | undefined) : undefined;
    const raw = fromFlag ?? env[s.env];
    // An empty variable means unset (compose writes `KEY:` as ""), except for passwords, where "" is a value.
    if (raw !== undefined && (raw !== '' || s.env === 'KCS_PASSWORD' || s.env === 'KCS_OUTPUT_PASSWORD')) merged[s.env] = raw;
  }
  const e = envFrom(merged);
  // env-var builds a reader per get(); most settings are unset, and need none.
  const str = (name: SettingName) => (merged[SETTINGS[name].env] === undefined ? undefined : e.get(SETTINGS[name].env).asString());

  const [commandWord, ...extra] = positionals;
  const help = flags.help === true;
  const version = flags.version === true;
  let command: Command = 'init';
  if (commandWord !== undefined) command = oneOf('command', commandWord, COMMANDS);
  else if (!help && !version) invalid('no command given', `run one of: ${COMMANDS.join(', ')} (for example \`kestrel-cert-sidecar init\`)`);
  if (extra.length) invalid(`unexpected argument ${extra[0]}`, 'options take the form --name value; run with --help to list them');

  const output = path.resolve(str('output') ?? './out');
  const hostnamesRaw = str('hostnames');
  // 0 asks the system for a free port (for test harnesses that run several sidecars).
  let healthPort = 8089;
  try {
    if (merged.KCS_HEALTH_PORT !== undefined) healthPort = e.get('KCS_HEALTH_PORT').required().asIntPositive();
    if (healthPort > 65535) throw new Error('out of range');
  } catch {
    invalid(`KCS_HEALTH_PORT \`${merged.KCS_HEALTH_PORT}\` is not a port number (0-65535)`, 'set KCS_HEALTH_PORT to a free port, such as 8089');
  }
  const cfg: Config = {
    command,
    output,
    mountPath: str('mountPath') ?? output,
    hostnames: hostnamesRaw !== undefined ? parseHostnames(hostnamesRaw) : DEFAULT_HOSTNAMES,
    hostnamesGiven: hostnamesRaw !== undefined,
    minValidityMs: parseDuration('KCS_MIN_VALIDITY', str('minValidity') ?? '1h'),
    kestrelFormat: oneOf('KCS_KESTREL_FORMAT', str('kestrelFormat') ?? 'pem', KESTREL_FORMATS),
    pfxProfile: oneOf('KCS_PFX_PROFILE', str('pfxProfile') ?? 'modern', PFX_PROFILES),
    keyType: oneOf('KCS_KEY_TYPE', str('keyType') ?? 'rsa-2048', KEY_TYPES),
    validityMs: parseDuration('KCS_VALIDITY', str('validity') ?? '90d'),
    healthPort,
    logFormat: oneOf('KCS_LOG_FORMAT', str('logFormat') ?? 'text', LOG_FORMATS),
    verbose: flags.verbose === true,
    json: flags.json === true,
    help,
    version,
    probe: {
      insecure: flags.insecure === true,
      waitMs: typeof flags.wait === 'string' ? parseDuration('--wait', flags.wait) : 0,
      ...(typeof flags.url === 'string' ? { url: flags.url } : {}),
      ...(typeof flags['expect-sha256'] === 'string' ? { expectSha256: flags['expect-sha256'] } : {}),
      ...(typeof flags.ca === 'string' ? { ca: flags.ca } : {}),
    },
    stateDefaulted: false,
    runsIn: oneOf('KCS_RUNS_IN', str('runsIn') ?? 'host', PLACES),
    trust: { java: flags.java === true, ...(typeof flags.ca === 'string' ? { ca: path.resolve(flags.ca) } : {}) },
  };
  const actions = TRUST_ACTIONS.filter((a) => flags[a] === true);
  if (command === 'trust' && !help) {
    if (actions.length !== 1) invalid(actions.length ? `trust takes one of ${actions.map((a) => `--${a}`).join(', ')}, not ${actions.length}` : 'trust needs to be told what to do', 'run `trust --install` (or --print, --uninstall, --status)');
    cfg.trust.action = actions[0];
  } else {
    const stray = [...actions, ...(flags.java === true ? ['java'] : [])][0];
    if (stray !== undefined) invalid(`--${stray} is an option of the trust command`, `run \`kestrel-cert-sidecar trust --${stray === 'java' ? 'install --java' : stray}\``);
  }
  for (const name of ['password', 'outputPassword', 'appName', 'userSecretsId', 'certFile', 'keyFile', 'certEntry', 'healthAddress'] as const) {
    const v = str(name);
    if (v !== undefined) cfg[name] = v;
  }
  // Paths are made absolute once, so every message names the file unambiguously.
  for (const name of ['source', 'passwordFile', 'userSecrets', 'outputPasswordFile', 'state'] as const) {
    const v = str(name);
    if (v !== undefined) cfg[name] = path.resolve(v);
  }
  if (cfg.state === undefined) {
    const state = defaultState(cfg.runsIn, process.platform, env);
    if (state !== undefined) {
      cfg.state = state;
      cfg.stateDefaulted = true;
    }
  }
  const owner = str('owner');
  if (owner !== undefined) cfg.owner = parseOwner(owner);
  else if (process.getuid?.() === 0) cfg.owner = { uid: 1654, gid: 1654 }; // the `app` user of the ASP.NET Core images

  if (cfg.password !== undefined && cfg.passwordFile !== undefined) invalid('both KCS_PASSWORD and KCS_PASSWORD_FILE are set', 'set only one: KCS_PASSWORD_FILE is the safer, as it keeps the password out of the environment');
  if (cfg.outputPassword !== undefined && cfg.outputPasswordFile !== undefined) invalid('both KCS_OUTPUT_PASSWORD and KCS_OUTPUT_PASSWORD_FILE are set', 'set only one of them');
  if (cfg.validityMs < 3600e3 || cfg.validityMs > 825 * 86400e3) {
    // 825 days: the longest lifetime macOS and iOS accept for a TLS server certificate.
    invalid(`KCS_VALIDITY \`${str('validity')}\` is out of range: use 1h to 825d`, 'set KCS_VALIDITY=90d (Apple platforms refuse server certificates valid for more than 825 days)');
  }
  if ((cfg.appName === undefined) !== (cfg.userSecretsId === undefined)) {
    invalid(`${cfg.appName === undefined ? 'KCS_USER_SECRETS_ID' : 'KCS_APP_NAME'} is set without ${cfg.appName === undefined ? 'KCS_APP_NAME' : 'KCS_USER_SECRETS_ID'}`, 'set both: KCS_APP_NAME to the app assembly name and KCS_USER_SECRETS_ID to its <UserSecretsId>');
  }
  if (cfg.appName !== undefined && (!/^[A-Za-z0-9._-]+$/.test(cfg.appName) || /^\.+$/.test(cfg.appName))) invalid(`KCS_APP_NAME \`${cfg.appName}\` is not a file name`, 'set it to the app assembly name, such as MyApi');
  if (cfg.userSecretsId !== undefined && (!/^[A-Za-z0-9._-]+$/.test(cfg.userSecretsId) || /^\.+$/.test(cfg.userSecretsId))) invalid(`KCS_USER_SECRETS_ID \`${cfg.userSecretsId}\` is not valid`, 'set it to the <UserSecretsId> of the app project, such as a GUID');
  if (cfg.command === 'init' || cfg.command === 'watch') checkOutput(output);
  if (cfg.state !== undefined) {
    // Compared by real path: a symlink to the output (or into it) is the output.
    const state = realPathOf(cfg.state);
    const out = realPathOf(output);
    if (state === out || state.startsWith(`${out}${path.sep}`) || out.startsWith(`${state}${path.sep}`)) {
      invalid(`KCS_STATE ${cfg.state}${state !== cfg.state ? ` (${state})` : ''} ${out.startsWith(`${state}${path.sep}`) ? 'holds' : 'is inside'} KCS_OUTPUT ${output}`, 'the CA key must never reach the shared volume: point KCS_STATE at a private directory apart from KCS_OUTPUT');
    }
  }
  return cfg;
}

/** The effective settings for --verbose, secrets as ***. */
export function describeSettings(cfg: Config): Record<string, string> {
  const out: Record<string, string> = { command: cfg.command };
  const shown: Record<string, unknown> = {
    KCS_SOURCE: cfg.source ?? '(unset: generate)',
    KCS_CERT_FILE: cfg.certFile,
    KCS_KEY_FILE: cfg.keyFile,
    KCS_CERT_ENTRY: cfg.certEntry,
    KCS_PASSWORD: cfg.password === undefined ? undefined : '***',
    KCS_PASSWORD_FILE: cfg.passwordFile,
    KCS_USER_SECRETS: cfg.userSecrets,
    KCS_OUTPUT: cfg.output,
    KCS_MOUNT_PATH: cfg.mountPath,
    KCS_OUTPUT_PASSWORD: cfg.outputPassword === undefined ? undefined : '***',
    KCS_OUTPUT_PASSWORD_FILE: cfg.outputPasswordFile,
    KCS_HOSTNAMES: cfg.hostnames.join(','),
    KCS_MIN_VALIDITY: `${cfg.minValidityMs / 1000}s`,
    KCS_OWNER: cfg.owner ? `${cfg.owner.uid}:${cfg.owner.gid}` : `(current user ${process.getuid?.()})`,
    KCS_KESTREL_FORMAT: cfg.kestrelFormat,
    KCS_PFX_PROFILE: cfg.pfxProfile,
    KCS_KEY_TYPE: cfg.keyType,
    KCS_VALIDITY: `${cfg.validityMs / 86400e3}d`,
    KCS_STATE: cfg.state === undefined ? '(unset: a CA for this run only)' : `${cfg.state}${cfg.stateDefaulted ? ' (default)' : ''}`,
    KCS_RUNS_IN: cfg.runsIn,
    KCS_APP_NAME: cfg.appName,
    KCS_USER_SECRETS_ID: cfg.userSecretsId,
    KCS_HEALTH_PORT: String(cfg.healthPort),
    KCS_HEALTH_ADDRESS: cfg.healthAddress ?? '(unset: every address)',
    KCS_LOG_FORMAT: cfg.logFormat,
  };
  for (const [k, v] of Object.entries(shown)) if (v !== undefined) out[k] = String(v);
  return out;
}

