// Reads the settings of the table (table.ts) through env-var: one typed accessor per kind of value,
// installed as an env-var extension named by the kind. Text, secrets and the port are env-var's own
// accessors (asString, asPortNumber); the other kinds are ours, each a parser of values.ts. A given
// value is read by env-var (`env.get(NAME).duration(spec)`); a default is handed to the same accessor
// directly: env-var builds ~25 closures per get(), which for every setting of every start cost ~3 ms
// of `init`.
//
// Errors: env-var turns whatever an accessor throws into its EnvVarError, `"NAME" <reason>`. Its own
// reasons ("should be a valid integer") become CONFIG_INVALID naming the setting, the value (never a
// secret's) and the fix. Our parsers raise a CONFIG_INVALID of their own with a fix for the exact value
// (`write it as xn--...`), which env-var's wrapping would flatten to one line: the reader keeps it and
// throws it as it was raised.
import path from 'node:path';
import { EnvVarError, accessors as envVarAccessors, from } from 'env-var';
import { KcsError, fail } from '../findings.js';
import { messages } from '../messages/index.js';
import { didYouMean } from './command-line.js';
import { SETTING_ENTRIES, type Kind, type SettingName, type SettingSpec, type SettingValues } from './table.js';
import { checkPathText, parseDuration, parseHostnames, parseOwner } from './values.js';

function parseChoice(value: string, name: string, options: readonly string[]): string {
  if (options.includes(value)) return value;
  return fail(messages.CONFIG_INVALID.choice({ name, value, options, suggestion: didYouMean(value, options) }));
}

/** The accessor of each kind: a value of the setting `s`, as text, to what the setting holds. */
const ACCESSORS: Record<Kind, (value: string, s: SettingSpec) => unknown> = {
  text: (v) => envVarAccessors.asString(v),
  secret: (v) => envVarAccessors.asString(v),
  port: (v) => envVarAccessors.asPortNumber(v),
  path: (v, s) => path.resolve(checkPathText(s.env, v)),
  choice: (v, s) => parseChoice(v, s.env, s.options ?? []),
  duration: (v, s) => parseDuration(s.env, v),
  hostnames: (v) => parseHostnames(v),
  owner: (v) => parseOwner(v),
};

const KINDS = Object.keys(ACCESSORS) as Kind[];

/**
 * Every setting of the table, from `given`: the values by variable name, flags already merged over
 * the environment, and unset ones absent. A setting without a default and not given is absent.
 */
export function readSettings(given: Readonly<Record<string, string>>): SettingValues {
  let raised: KcsError | undefined;
  /** Each accessor as an env-var extension named by its kind: what one of ours raises is kept, to be
   *  thrown as it was; env-var's own (asString, asPortNumber) throw plain errors, which it wraps. */
  const kept =
    (kind: Kind) =>
    (value: string, s: SettingSpec): unknown => {
      try {
        return ACCESSORS[kind](value, s);
      } catch (err) {
        if (err instanceof KcsError) raised = err;
        throw err;
      }
    };
  const env = from(
    given,
    Object.fromEntries(KINDS.map((k) => [k, kept(k)])) as Record<Kind, (value: string, s: SettingSpec) => unknown>,
  );

  const values: Partial<Record<SettingName, unknown>> = {};
  for (const [name, s] of SETTING_ENTRIES) {
    try {
      if (s.env in given) values[name] = env.get(s.env)[s.kind](s);
      else if (s.default !== undefined) values[name] = ACCESSORS[s.kind](s.default, s);
    } catch (err) {
      if (raised) throw raised;
      if (!(err instanceof EnvVarError)) throw err;
      const reason = err.message.replace(/^(env-var: )?"[^"]*" /, '');
      // A secret's value is never shown.
      const value = s.kind === 'secret' ? undefined : given[s.env];
      fail(messages.CONFIG_INVALID.badValue({ env: s.env, value, reason, kind: s.kind, dflt: s.default }));
    }
  }
  return values as SettingValues;
}
