// The command line and settings parser, called directly (the CLI tests run it through the binary).
import { describe, expect, it } from 'vitest';
import { KcsError } from '../../sidecar/findings.js';
import { describeSettings, loadConfig, parseCommandLine } from '../../sidecar/settings/config.js';
import { SETTING_ENTRIES } from '../../sidecar/settings/table.js';

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
    expect(
      parseCommandLine(['init', '--output', '/a', '--verbose', '--hostnames=api,localhost', '--output=/b']),
    ).toEqual({
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

const configError = (env: NodeJS.ProcessEnv, argv = ['init']) => {
  try {
    loadConfig(env, argv);
  } catch (err) {
    expect(err).toBeInstanceOf(KcsError);
    return `${(err as KcsError).finding.message}\nfix: ${(err as KcsError).finding.hint}`;
  }
  throw new Error(`${JSON.stringify(env)} was accepted`);
};

describe('settings are read through the table', () => {
  it('every setting with a default has it when unset, read as if it were given, and is not counted as given', () => {
    const unset = loadConfig({}, ['init']);
    for (const [name, s] of SETTING_ENTRIES) {
      if (!('default' in s) || s.default === undefined) continue;
      const given = loadConfig({ [s.env]: s.default }, ['init']);
      expect(unset[name], name).toEqual(given[name]);
      expect(given.given).toEqual([name]);
    }
    expect(unset.given).toEqual([]);
    expect([unset.minValidityMs, unset.validityMs, unset.healthPort, unset.kestrelFormat]).toEqual([
      3600e3,
      90 * 86400e3,
      8089,
      'pem',
    ]);
  });

  it("refuses what env-var's own accessor refuses, naming the setting, the value and the fix", () => {
    expect(configError({ KCS_HEALTH_PORT: '70000' })).toBe(
      'KCS_HEALTH_PORT `70000` is not valid: cannot assign a port number greater than 65535\nfix: set KCS_HEALTH_PORT to a port number from 0 to 65535 (0 picks a free port), such as 8089',
    );
    expect(configError({ KCS_HEALTH_PORT: '80a' })).toBe(
      'KCS_HEALTH_PORT `80a` is not valid: should be a valid integer\nfix: set KCS_HEALTH_PORT to a port number from 0 to 65535 (0 picks a free port), such as 8089',
    );
    expect(loadConfig({ KCS_HEALTH_PORT: '0' }, ['watch']).healthPort).toBe(0);
  });

  it('throws the error our own accessors raise as it was raised, with the fix for that value', () => {
    expect(configError({ KCS_HOSTNAMES: 'api,bücher.example' })).toBe(
      'KCS_HOSTNAMES name `bücher.example` is not ASCII: certificates carry internationalized names in their punycode form\nfix: write it as xn--bcher-kva.example',
    );
    expect(configError({ KCS_KEY_TYPE: 'ecdsa-p265' })).toBe(
      'KCS_KEY_TYPE `ecdsa-p265` is not valid: use one of rsa-2048, rsa-3072, ecdsa-p256 (did you mean ecdsa-p256?)\nfix: set KCS_KEY_TYPE to one of rsa-2048, rsa-3072, ecdsa-p256',
    );
    expect(configError({}, ['init', '--min-validity', '3 weeks'])).toBe(
      'KCS_MIN_VALIDITY `3 weeks` is not a duration: use a number and a unit, such as 90d, 12h, 30m or 45s\nfix: set KCS_MIN_VALIDITY to a value like 90d',
    );
  });

  it('never shows a secret, not even in an error', () => {
    const cfg = loadConfig({ KCS_PASSWORD: '', KCS_OUTPUT_PASSWORD: 'out-Secret-9' }, ['init']);
    expect([cfg.password, cfg.outputPassword]).toEqual(['', 'out-Secret-9']);
    expect(JSON.stringify(describeSettings(cfg))).not.toContain('out-Secret-9');
  });
});

describe('KCS_HOSTNAMES takes DNS names label by label', () => {
  const long = (n: number) =>
    Array.from({ length: Math.ceil(n / 50) }, () => 'a'.repeat(49))
      .join('.')
      .slice(0, n)
      .replace(/\.$/, 'a');
  it.each([
    ['a'.repeat(63)],
    ['*.example.test'],
    ['api.example.test.'],
    ['_srv.example'],
    ['x'],
    ['a-b.c'],
    [long(253)],
  ])('accepts %s', (name) => {
    expect(loadConfig({ KCS_HOSTNAMES: name }, ['init']).hostnames).toEqual([name]);
  });
  it.each([['a'.repeat(64)], [long(254)], ['-api'], ['api-'], ['a..b'], ['a.*.b'], ['*'], ['api.example..'], ['a b!']])(
    'refuses %s',
    (name) => {
      expect(configError({ KCS_HOSTNAMES: name })).toMatch(
        /^KCS_HOSTNAMES name `.*` is not a DNS name or IP address\n/,
      );
    },
  );
});

describe('secrets', () => {
  it('have no flag (flags show up in `ps`), and every other setting has one', () => {
    const secrets = SETTING_ENTRIES.filter(([, s]) => s.kind === 'secret').map(([, s]) => s.env);
    expect(secrets).toEqual(['KCS_PASSWORD', 'KCS_OUTPUT_PASSWORD']);
    expect(
      SETTING_ENTRIES.filter(([, s]) => (s.kind === 'secret') === (s.flag !== undefined)).map(([, s]) => s.env),
    ).toEqual([]);
  });
});
