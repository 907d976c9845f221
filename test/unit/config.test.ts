// The command line and settings parser, called directly (the CLI tests run it through the binary).
import { describe, expect, it } from 'vitest';
import { KcsError } from '../../sidecar/findings.js';
import { loadConfig, parseCommandLine } from '../../sidecar/settings/config.js';

const fails = (argv: string[]) => {
  try {
    parseCommandLine(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(KcsError);
    return (err as KcsError).message;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
};

describe('the command line', () => {
  it('takes --name value, --name=value, flags and positionals, the last of a repeated option winning', () => {
    expect(parseCommandLine(['init', '--output', '/a', '--verbose', '--hostnames=api,localhost', '--output=/b'])).toEqual({
      values: { output: '/b', verbose: true, hostnames: 'api,localhost' },
      positionals: ['init'],
    });
  });

  it('ends the options at --, and takes a lone - as a value', () => {
    expect(parseCommandLine(['check', '--', '--json'])).toEqual({ values: {}, positionals: ['check', '--json'] });
    expect(parseCommandLine(['init', '--source', '-'])).toEqual({ values: { source: '-' }, positionals: ['init'] });
    expect(parseCommandLine(['init', '--source=-x'])).toEqual({ values: { source: '-x' }, positionals: ['init'] });
  });

  it.each([
    [['init', '--sorce', 'x'], /^CONFIG_INVALID unknown option --sorce \(did you mean --source\?\)$/],
    [['init', '-o', 'x'], /^CONFIG_INVALID unknown option -o/],
    [['init', '--password=hunter2'], /^CONFIG_INVALID unknown option --password .*secrets are never taken from flags/],
    [['init', '--output'], /^CONFIG_INVALID option --output needs a value$/],
    [['init', '--output', '--json'], /^CONFIG_INVALID option --output needs a value$/],
    [['init', '--json=yes'], /^CONFIG_INVALID option --json takes no value$/],
    [['init', '--constructor', 'x'], /^CONFIG_INVALID unknown option --constructor/],
  ])('refuses %j', (argv, message) => {
    const text = fails(argv);
    expect(text).toMatch(message);
    expect(text).not.toContain('hunter2');
  });

  it('feeds loadConfig: flags win over variables', () => {
    const cfg = loadConfig({ KCS_OUTPUT: '/from-env', KCS_HOSTNAMES: 'env.test' }, ['init', '--output', '/from-flag']);
    expect(cfg.output).toBe('/from-flag');
    expect(cfg.hostnames).toEqual(['env.test']);
    expect(cfg.command).toBe('init');
  });
});
