// Settings from the environment and the command line. Every flag has a KCS_* variable; the flag
// wins. Secrets come only from a variable or a file, never a flag: flags show up in `ps`.
import path from 'node:path';
import { fail } from '../findings.js';
import { messages } from '../messages/index.js';
import { checkEndpoints } from '../publish/kestrel.js';
import { didYouMean, parseOptions } from './command-line.js';
import { defaultState } from './place.js';
import { readSettings } from './read.js';
import { SETTINGS, SETTING_ENTRIES, type SettingName, type SettingValues } from './table.js';
import { checkOutput, checkPathText, parseDuration, realPathOf } from './values.js';

export { DEFAULT_HOSTNAMES, SETTINGS, SETTING_VARIABLES, settingsHelp } from './table.js';
export { parseDuration, parseHostnames, realPathOf } from './values.js';

export const COMMANDS = ['init', 'watch', 'check', 'probe', 'trust'] as const;
export type Command = (typeof COMMANDS)[number];

export const TRUST_ACTIONS = ['print', 'install', 'uninstall', 'status'] as const;
export type TrustAction = (typeof TRUST_ACTIONS)[number];

/** The settings (one field each, see table.ts), then what the command line says beside them. */
export interface Config extends SettingValues {
  command: Command;
  /** The settings given (by a flag or a variable); the others have their defaults. */
  given: SettingName[];
  /** Where the app sees the output: KCS_MOUNT_PATH, else the output itself. */
  mountPath: string;
  verbose: boolean;
  json: boolean;
  help: boolean;
  version: boolean;
  probe: { url?: string; expectSha256?: string; ca?: string; insecure: boolean; waitMs: number };
  /** `trust`: what to do, with which CA file (--ca), and whether Java's cacerts too. */
  trust: { action?: TrustAction; ca?: string; java: boolean };
}

/** The options of commands (not settings: they have no variable). */
const BOOLEAN_FLAGS = ['verbose', 'json', 'help', 'version', 'insecure', ...TRUST_ACTIONS, 'java'] as const;
const PROBE_FLAGS = ['url', 'expect-sha256', 'ca', 'wait'] as const;

const invalid = messages.CONFIG_INVALID;

/** Every option of the command line and its kind: the settings' flags, probe's, and the booleans. */
const OPTIONS: Readonly<Record<string, 'string' | 'boolean'>> = Object.fromEntries([
  ...SETTING_ENTRIES.flatMap(([, s]) => (s.flag ? [[s.flag, 'string'] as const] : [])),
  ...PROBE_FLAGS.map((f) => [f, 'string'] as const),
  ...BOOLEAN_FLAGS.map((f) => [f, 'boolean'] as const),
]);

/** The command line of this program (settings/command-line.ts parses it). */
export const parseCommandLine = (argv: readonly string[]) => parseOptions(argv, OPTIONS);

/** The value of each setting as given, by variable: the flag, else the variable. An empty variable is
 *  unset (compose writes `KEY:` as ""), except for the passwords, where "" is a value. */
function givenValues(
  env: NodeJS.ProcessEnv,
  flags: Record<string, string | boolean | undefined>,
): Record<string, string> {
  const known = new Set(SETTING_ENTRIES.map(([, s]) => s.env));
  for (const name of Object.keys(env)) {
    if (name.startsWith('KCS_') && !known.has(name))
      fail(invalid.unknownSetting({ name, suggestion: didYouMean(name, [...known]) }));
  }
  const given: Record<string, string> = {};
  for (const [, s] of SETTING_ENTRIES) {
    const raw = (s.flag ? (flags[s.flag] as string | undefined) : undefined) ?? env[s.env];
    if (raw !== undefined && (raw !== '' || s.kind === 'secret')) given[s.env] = raw;
  }
  return given;
}

function commandOf(positionals: string[], help: boolean, version: boolean): Command {
  const [word, ...extra] = positionals;
  let command: Command = 'init';
  if (word !== undefined) {
    if (!(COMMANDS as readonly string[]).includes(word))
      fail(invalid.unknownCommand({ word, commands: COMMANDS, suggestion: didYouMean(word, COMMANDS) }));
    command = word as Command;
  } else if (!help && !version) fail(invalid.noCommand({ commands: COMMANDS }));
  if (extra.length) fail(invalid.unexpectedArgument({ argument: extra[0] }));
  return command;
}

/** `trust` takes exactly one action; no other command takes any. */
function trustOptions(
  command: Command,
  help: boolean,
  flags: Record<string, string | boolean | undefined>,
): Config['trust'] {
  const trust: Config['trust'] = {
    java: flags.java === true,
    ...(typeof flags.ca === 'string' ? { ca: path.resolve(flags.ca) } : {}),
  };
  const actions = TRUST_ACTIONS.filter((a) => flags[a] === true);
  if (command === 'trust' && !help) {
    if (actions.length !== 1) fail(invalid.trustActions({ actions }));
    trust.action = actions[0]!; // exactly one, checked above
  } else {
    const stray = [...actions, ...(flags.java === true ? ['java'] : [])][0];
    if (stray !== undefined) fail(invalid.trustOption({ flag: stray }));
  }
  return trust;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv.slice(2)): Config {
  const { values, positionals } = parseCommandLine(argv);
  const flags = values as Record<string, string | boolean | undefined>;
  const help = flags.help === true;
  const version = flags.version === true;
  const given = givenValues(env, flags);
  const command = commandOf(positionals, help, version);
  const settings = readSettings(given);
  const cfg: Config = {
    ...settings,
    command,
    given: SETTING_ENTRIES.filter(([, s]) => s.env in given).map(([name]) => name),
    mountPath: settings.mountPath ?? settings.output,
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
    trust: trustOptions(command, help, flags),
  };
  if (cfg.state === undefined) {
    const state = defaultState(cfg.runsIn, process.platform, env);
    if (state !== undefined) cfg.state = state;
  }
  // The `app` user of the ASP.NET Core images.
  if (cfg.owner === undefined && process.getuid?.() === 0) cfg.owner = { uid: 1654, gid: 1654 };
  checkCombinations(cfg, given.KCS_VALIDITY ?? SETTINGS.validityMs.default);
  return cfg;
}

/** What no single value can say: settings that conflict, that must come together, or that would put the CA key
 *  on the shared volume or publish it. */
function checkCombinations(cfg: Config, validityText: string): void {
  if (cfg.password !== undefined && cfg.passwordFile !== undefined) fail(invalid.bothPasswords());
  if (cfg.outputPassword !== undefined && cfg.outputPasswordFile !== undefined) fail(invalid.bothOutputPasswords());
  if (cfg.validityMs < 3600e3 || cfg.validityMs > 825 * 86400e3) {
    // 825 days: the longest lifetime macOS and iOS accept for a TLS server certificate.
    fail(invalid.validityRange({ value: validityText }));
  }
  if ((cfg.appName === undefined) !== (cfg.userSecretsId === undefined)) {
    fail(invalid.halfDevLayout({ appName: cfg.appName !== undefined }));
  }
  if (cfg.appName !== undefined && (!/^[A-Za-z0-9._-]+$/.test(cfg.appName) || /^\.+$/.test(cfg.appName)))
    fail(invalid.appName({ value: cfg.appName }));
  if (
    cfg.userSecretsId !== undefined &&
    (!/^[A-Za-z0-9._-]+$/.test(cfg.userSecretsId) || /^\.+$/.test(cfg.userSecretsId))
  )
    fail(invalid.userSecretsId({ value: cfg.userSecretsId }));
  if (cfg.given.includes('mountPath')) checkPathText('KCS_MOUNT_PATH', cfg.mountPath);
  checkEndpoints({ https: cfg.kestrelEndpoint, http: cfg.kestrelHttpEndpoint });
  if (cfg.command === 'init' || cfg.command === 'watch') checkOutput(cfg.output);
  if (cfg.state !== undefined) checkStateApart(cfg, cfg.state);
}

/** `a` is `b` or lies inside it, by real path. */
const within = (a: string, b: string) => a === b || a.startsWith(b.endsWith(path.sep) ? b : `${b}${path.sep}`);

/**
 * KCS_STATE holds the development CA's key, so it stays apart from the shared volume and from the
 * source, compared by real path (a symlink to a directory is that directory): a state inside the output
 * would put the key on the volume, and a source that is, holds or lies inside the state (its ca/
 * directory) would publish the key as tls.key. A key that arrives some other way is refused by its
 * public key (generate/ca.ts, caKeyFinding).
 */
function checkStateApart(cfg: Config, given: string): void {
  const state = realPathOf(given);
  const shown = `KCS_STATE ${given}${state !== given ? ` (${state})` : ''}`;
  const out = realPathOf(cfg.output);
  if (within(state, out) || within(out, state))
    fail(invalid.stateInOutput({ state: shown, holds: within(out, state) && out !== state, output: cfg.output }));
  if (cfg.source === undefined) return;
  const source = realPathOf(cfg.source);
  if (within(source, state) || within(state, source))
    fail(invalid.sourceNearState({ source: cfg.source, real: source, inside: within(source, state), state: shown }));
}

/** A duration as it would be written: the largest unit that divides it. */
function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86400e3],
    ['h', 3600e3],
    ['m', 60e3],
    ['s', 1e3],
  ] as const)
    if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** The effective settings for --verbose, every one of the table, secrets as ***. */
export function describeSettings(cfg: Config): Record<string, string> {
  const out: Record<string, string> = { command: cfg.command };
  for (const [name, s] of SETTING_ENTRIES) {
    const v: unknown = cfg[name];
    const note = cfg.given.includes(name) ? '' : ' (default)';
    if (v === undefined) out[s.env] = `(unset${s.otherwise ? `: ${s.otherwise}` : ''})`;
    else if (s.kind === 'secret') out[s.env] = '***';
    else if (s.kind === 'duration') out[s.env] = `${formatDuration(v as number)}${note}`;
    else if (s.kind === 'hostnames') out[s.env] = `${(v as string[]).join(',')}${note}`;
    else if (s.kind === 'owner') out[s.env] = `${(v as { uid: number }).uid}:${(v as { gid: number }).gid}${note}`;
    else out[s.env] = `${String(v)}${note}`;
  }
  return out;
}
