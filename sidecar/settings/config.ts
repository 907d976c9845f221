// Settings from the environment and the command line. Every flag has a KCS_* variable; the flag
// wins. Secrets come only from a variable or a file, never a flag: flags show up in `ps`.
import path from 'node:path';
import { from as envFrom } from 'env-var';
import { fail } from '../findings.js';
import { KESTREL_FORMATS, type KestrelFormat } from '../publish/kestrel.js';
import { didYouMean, parseOptions } from './command-line.js';
import { KEY_TYPES, PFX_PROFILES, type KeyType, type PfxProfile } from './options.js';
import { PLACES, defaultState, type Place } from './place.js';
import { SETTINGS, type SettingName } from './table.js';
import { checkOutput, parseDuration, parseHostnames, parseOwner, realPathOf } from './values.js';

export { SETTINGS, SETTING_VARIABLES, settingsHelp } from './table.js';

export { parseDuration, parseHostnames, realPathOf } from './values.js';

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

const BOOLEAN_FLAGS = ['verbose', 'json', 'help', 'version', 'insecure', ...TRUST_ACTIONS, 'java'] as const;
const PROBE_FLAGS = ['url', 'expect-sha256', 'ca', 'wait'] as const;

const invalid = (message: string, hint: string): never => fail('CONFIG_INVALID', message, hint);

function oneOf<T extends string>(name: string, value: string, options: readonly T[]): T {
  if ((options as readonly string[]).includes(value)) return value as T;
  return invalid(`${name} \`${value}\` is not valid: use one of ${options.join(', ')}${didYouMean(value, options)}`, `set ${name} to one of ${options.join(', ')}`);
}

/** Every option of the command line and its kind: the settings' flags, probe's, and the booleans. */
const OPTIONS: Readonly<Record<string, 'string' | 'boolean'>> = Object.fromEntries([
  ...(Object.values(SETTINGS) as { flag?: string }[]).flatMap((s) => (s.flag ? [[s.flag, 'string'] as const] : [])),
  ...PROBE_FLAGS.map((f) => [f, 'string'] as const),
  ...BOOLEAN_FLAGS.map((f) => [f, 'boolean'] as const),
]);

/** The command line of this program (settings/command-line.ts parses it). */
export const parseCommandLine = (argv: readonly string[]) => parseOptions(argv, OPTIONS);

/** Over 60 lines: most of it is the one object literal of every setting, in the table's order; the
 *  values are parsed in values.ts and the combinations checked in checkCombinations. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv.slice(2)): Config {
  const { values, positionals } = parseCommandLine(argv);
  const flags = values as Record<string, string | boolean | undefined>;

  const known = new Set(Object.values(SETTINGS).map((s) => s.env as string));
  for (const name of Object.keys(env)) {
    if (name.startsWith('KCS_') && !known.has(name)) {
      invalid(`unknown setting ${name}${didYouMean(name, [...known])}`, `remove it, or use one of the settings docs/reference.md lists`);
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

  checkCombinations(cfg, str('validity') ?? '90d');
  return cfg;
}

/** What no single value can say: settings that conflict, that must come together, or that would put the CA key on the shared volume. */
function checkCombinations(cfg: Config, validityText: string): void {
  if (cfg.password !== undefined && cfg.passwordFile !== undefined) invalid('both KCS_PASSWORD and KCS_PASSWORD_FILE are set', 'set only one: KCS_PASSWORD_FILE is the safer, as it keeps the password out of the environment');
  if (cfg.outputPassword !== undefined && cfg.outputPasswordFile !== undefined) invalid('both KCS_OUTPUT_PASSWORD and KCS_OUTPUT_PASSWORD_FILE are set', 'set only one of them');
  if (cfg.validityMs < 3600e3 || cfg.validityMs > 825 * 86400e3) {
    // 825 days: the longest lifetime macOS and iOS accept for a TLS server certificate.
    invalid(`KCS_VALIDITY \`${validityText}\` is out of range: use 1h to 825d`, 'set KCS_VALIDITY=90d (Apple platforms refuse server certificates valid for more than 825 days)');
  }
  if ((cfg.appName === undefined) !== (cfg.userSecretsId === undefined)) {
    invalid(`${cfg.appName === undefined ? 'KCS_USER_SECRETS_ID' : 'KCS_APP_NAME'} is set without ${cfg.appName === undefined ? 'KCS_APP_NAME' : 'KCS_USER_SECRETS_ID'}`, 'set both: KCS_APP_NAME to the app assembly name and KCS_USER_SECRETS_ID to its <UserSecretsId>');
  }
  if (cfg.appName !== undefined && (!/^[A-Za-z0-9._-]+$/.test(cfg.appName) || /^\.+$/.test(cfg.appName))) invalid(`KCS_APP_NAME \`${cfg.appName}\` is not a file name`, 'set it to the app assembly name, such as MyApi');
  if (cfg.userSecretsId !== undefined && (!/^[A-Za-z0-9._-]+$/.test(cfg.userSecretsId) || /^\.+$/.test(cfg.userSecretsId))) invalid(`KCS_USER_SECRETS_ID \`${cfg.userSecretsId}\` is not valid`, 'set it to the <UserSecretsId> of the app project, such as a GUID');
  if (cfg.command === 'init' || cfg.command === 'watch') checkOutput(cfg.output);
  if (cfg.state !== undefined) {
    // Compared by real path: a symlink to the output (or into it) is the output.
    const state = realPathOf(cfg.state);
    const out = realPathOf(cfg.output);
    if (state === out || state.startsWith(`${out}${path.sep}`) || out.startsWith(`${state}${path.sep}`)) {
      invalid(`KCS_STATE ${cfg.state}${state !== cfg.state ? ` (${state})` : ''} ${out.startsWith(`${state}${path.sep}`) ? 'holds' : 'is inside'} KCS_OUTPUT ${cfg.output}`, 'the CA key must never reach the shared volume: point KCS_STATE at a private directory apart from KCS_OUTPUT');
    }
  }
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

