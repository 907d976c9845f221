// The command line as sidecar/settings/command-line.ts checks it, by the exact text a user sees.
import { describe, expect, it } from 'vitest';
import { KcsError } from '../../../sidecar/findings.js';
import { didYouMean, parseOptions } from '../../../sidecar/settings/command-line.js';

const OPTIONS = { output: 'string', source: 'string', json: 'boolean', hostnames: 'string' } as const;

function refusal(argv: string[]): { message: string; hint: string } {
  try {
    parseOptions(argv, OPTIONS);
  } catch (err) {
    if (err instanceof KcsError) return { message: err.message, hint: err.finding.hint };
    throw err;
  }
  throw new Error('accepted');
}

describe('didYouMean', () => {
  it.each([
    ['morden', ['modern', 'legacy-3des'], ' (did you mean modern?)'],
    ['MODERN', ['modern', 'legacy-3des'], ' (did you mean modern?)'],
    ['legacy3des', ['modern', 'legacy-3des'], ' (did you mean legacy-3des?)'],
    ['pme', ['pem', 'pfx', 'both'], ' (did you mean pem?)'],
    ['xyz', ['pem', 'pfx', 'both'], ''],
    ['abcd', ['pem'], ''],
    ['hostnmes', ['hostnames', 'output'], ' (did you mean hostnames?)'],
    // Distance 3 from a 9-letter option: within a third of its length.
    ['hostn', ['hostnames'], ''],
    ['hostnam', ['hostnames'], ' (did you mean hostnames?)'],
    ['hostnxxxs', ['hostnames'], ' (did you mean hostnames?)'],
    ['anything', [], ''],
  ])('%s among %j gives %j', (value, options, text) => {
    expect(didYouMean(value, options)).toBe(text);
  });
});

describe('parseOptions', () => {
  it('takes values, flags and positionals', () => {
    expect(parseOptions(['init', '--output', '/a', '--json', '--source=-', 'x'], OPTIONS)).toEqual({
      values: { output: '/a', json: true, source: '-' },
      positionals: ['init', 'x'],
    });
  });
  it('takes a lone - as a value after a space', () => {
    expect(parseOptions(['--source', '-'], OPTIONS).values).toEqual({ source: '-' });
  });
  it.each([
    [['--outptu', 'x'], 'unknown option --outptu (did you mean --output?)', 'run with --help to list the options'],
    [['-o', 'x'], 'unknown option -o', 'run with --help to list the options'],
    // parseArgs reads -output as the short options -o -u -t...: the first is the unknown one.
    [['-output', 'x'], 'unknown option -o', 'run with --help to list the options'],
    [
      ['--password-file=/x'],
      'unknown option --password-file (secrets are never taken from flags, which show up in `ps`: use ' +
        'KCS_PASSWORD_FILE or KCS_PASSWORD)',
      'run with --help to list the options',
    ],
    [
      ['--Secret'],
      'unknown option --Secret (secrets are never taken from flags, which show up in `ps`: use ' +
        'KCS_PASSWORD_FILE or KCS_PASSWORD)',
      'run with --help to list the options',
    ],
    [['--toString'], 'unknown option --toString', 'run with --help to list the options'],
    [['--json=yes'], 'option --json takes no value', 'write --json alone'],
    [['--output'], 'option --output needs a value', 'write --output <value>'],
    [
      ['--output', '--json'],
      'option --output needs a value',
      'write --output=--json for a value that starts with a dash',
    ],
    [['--output', '-x'], 'option --output needs a value', 'write --output=-x for a value that starts with a dash'],
  ])('refuses %j', (argv, message, hint) => {
    expect(refusal(argv)).toEqual({ message: `CONFIG_INVALID ${message}`, hint });
  });
  it('takes a value starting with a dash when written with =', () => {
    expect(parseOptions(['--output=-x', '--hostnames=', 'check'], OPTIONS)).toEqual({
      values: { output: '-x', hostnames: '' },
      positionals: ['check'],
    });
  });
});
