// Reads the settings of the table (table.ts) through env-var: env-var looks each one up, applies its
// default, and calls the accessor of its kind. Text, secrets and the port are env-var's own accessors
// (asString, asPortNumber); the other kinds are ours, each a parser of values.ts.
//
// Errors: env-var turns whatever an accessor throws into its EnvVarError, `"NAME" <reason>`. Its own
// reasons ("should be a valid integer") become CONFIG_INVALID naming the setting, the value (never a
// secret's) and the fix. Our parsers raise a CONFIG_INVALID of their own with a fix for the exact value
// (`write it as xn--...`), which env-var's wrapping would flatten to one line: the reader keeps it and
// throws it as it was raised.
import path from 'node:path';
import { EnvVarError, from } from 'env-var';
import { KcsError, fail } from '../findings.js';
import { didYouMean } from './command-line.js';
import { SETTING_ENTRIES, type SettingName, type SettingSpec, type SettingValues } from './table.js';
import { parseDuration, parseHostnames, parseOwner } from './values.js';

function parseChoice(value: string, name: string, options: readonly string[]): string {
  if (options.includes(value)) return value;
  return fail('CONFIG_INVALID', `${name} \`${value}\` is not valid: use one of ${options.join(', ')}${didYouMean(value, options)}`, `set ${name} to one of ${options.join(', ')}`);
}

/** The fix for a value env-var refused, by the kind of the setting. */
const ENV_VAR_FIX: Partial<Record<SettingSpec['kind'], (s: SettingSpec) => string>> = {
  port: (s) => `set ${s.env} to a port number from 0 to 65535 (0 picks a free port), such as ${s.default ?? '8089'}`,
};

/**
 * Every setting of the table, from `given`: the values by variable name, flags already merged over
 * the environment, and unset ones absent. A setting without a default and not given is absent.
 */
export function readSettings(given: Readonly<Record<string, string>>): SettingValues {
  let raised: KcsError | undefined;
  /** An accessor of ours: what it raises is kept, to be thrown as it was. */
  const ours =
    <A extends unknown[], T>(parse: (value: string, ...args: A) => T) =>
    (value: string, ...args: A): T => {
      try {
        return parse(value, ...args);
      } catch (err) {
        if (err instanceof KcsError) raised = err;
        throw err;
      }
    };
  const env = from(given, {
    asPath: ours((v: string) => path.resolve(v)),
    asChoice: ours(parseChoice),
    asDuration: ours((v: string, name: string) => parseDuration(name, v)),
    asHostnames: ours(parseHostnames),
    asOwner: ours(parseOwner),
  });

  const read = (s: SettingSpec): unknown => {
    const v = s.default === undefined ? env.get(s.env) : env.get(s.env).default(s.default);
    switch (s.kind) {
      case 'text':
      case 'secret':
        return v.asString();
      case 'path':
        return v.asPath();
      case 'choice':
        return v.asChoice(s.env, s.options ?? []);
      case 'duration':
        return v.asDuration(s.env);
      case 'hostnames':
        return v.asHostnames();
      case 'owner':
        return v.asOwner();
      case 'port':
        return v.asPortNumber();
    }
  };

  const values: Partial<Record<SettingName, unknown>> = {};
  for (const [name, s] of SETTING_ENTRIES) {
    try {
      const value = read(s);
      if (value !== undefined) values[name] = value;
    } catch (err) {
      if (raised) throw raised;
      if (!(err instanceof EnvVarError)) throw err;
      const reason = err.message.replace(/^(env-var: )?"[^"]*" /, '');
      const shown = s.kind === 'secret' ? '' : ` \`${given[s.env] ?? s.default}\``;
      fail('CONFIG_INVALID', `${s.env}${shown} is not valid: ${reason}`, ENV_VAR_FIX[s.kind]?.(s) ?? `set ${s.env} as docs/reference.md describes it`);
    }
  }
  return values as SettingValues;
}
