// The command line: `--name value`, `--name=value`, boolean flags, positionals, and `--` to end the
// options. Strict: an unknown option, a missing value or a value given to a flag is CONFIG_INVALID, with
// "did you mean" and, for a password-like flag, why secrets are never taken from flags.
//
// Not node:util parseArgs, although loading and running it cold costs ~0.85 ms (measured on Node 24.21,
// under the 1 ms that would rule it out): its errors say neither "did you mean" nor where secrets go, and
// `--output -x` needs our hint to write `--output=-x`. Those messages are part of the exact text users see.
import { fail } from '../findings.js';

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

/** Parses `argv` against `options` (name -> kind); the values by option name, and the positionals. */
export function parseOptions(argv: readonly string[], options: Readonly<Record<string, 'string' | 'boolean'>>): { values: Record<string, string | boolean>; positionals: string[] } {
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

