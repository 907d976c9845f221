// loadConfig's refusals of what no single value can say (sidecar/settings/config.ts), and --verbose's
// view of the settings, by the exact text a user sees; the command line and the settings table read
// through it, called directly (the CLI tests run it through the binary).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KcsError } from '../../../sidecar/findings.js';
import { describeSettings, loadConfig, parseCommandLine } from '../../../sidecar/settings/config.js';
import { SETTING_ENTRIES } from '../../../sidecar/settings/table.js';

const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-config-')));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const OUT = path.join(dir, 'out');
const STATE = path.join(dir, 'state');
const base = { KCS_OUTPUT: OUT, KCS_STATE: STATE };

function refusal(env: NodeJS.ProcessEnv, argv = ['init']): { message: string; hint: string } {
  try {
    loadConfig({ ...base, ...env }, argv);
  } catch (err) {
    if (err instanceof KcsError)
      return { message: err.message.replace(/^CONFIG_INVALID /, ''), hint: err.finding.hint };
    throw err;
  }
  throw new Error('accepted');
}

describe('loadConfig refuses', () => {
  it.each([
    [
      { KCS_OUTPT: '/x' },
      ['init'],
      'unknown setting KCS_OUTPT (did you mean KCS_OUTPUT?)',
      'remove it, or use one of the settings docs/reference.md lists',
    ],
    [
      {},
      ['inti'],
      'command `inti` is not valid: use one of init, watch, check, probe, trust (did you mean init?)',
      'set command to one of init, watch, check, probe, trust',
    ],
    [
      {},
      [],
      'no command given',
      'run one of: init, watch, check, probe, trust (for example `kestrel-cert-sidecar init`)',
    ],
    [
      {},
      ['check', 'extra'],
      'unexpected argument extra',
      'options take the form --name value; run with --help to list them',
    ],
    [{}, ['trust'], 'trust needs to be told what to do', 'run `trust --install` (or --print, --uninstall, --status)'],
    [
      {},
      ['trust', '--install', '--print'],
      'trust takes one of --print, --install, not 2',
      'run `trust --install` (or --print, --uninstall, --status)',
    ],
    [
      {},
      ['init', '--install'],
      '--install is an option of the trust command',
      'run `kestrel-cert-sidecar trust --install`',
    ],
    [
      {},
      ['check', '--java'],
      '--java is an option of the trust command',
      'run `kestrel-cert-sidecar trust --install --java`',
    ],
    [
      { KCS_PASSWORD: 'a', KCS_PASSWORD_FILE: '/run/secrets/pw' },
      ['init'],
      'both KCS_PASSWORD and KCS_PASSWORD_FILE are set',
      'set only one: KCS_PASSWORD_FILE is the safer, as it keeps the password out of the environment',
    ],
    [
      { KCS_OUTPUT_PASSWORD: 'a', KCS_OUTPUT_PASSWORD_FILE: '/run/secrets/pw' },
      ['init'],
      'both KCS_OUTPUT_PASSWORD and KCS_OUTPUT_PASSWORD_FILE are set',
      'set only one of them',
    ],
    [
      { KCS_VALIDITY: '59m' },
      ['init'],
      'KCS_VALIDITY `59m` is out of range: use 1h to 825d',
      'set KCS_VALIDITY=90d (Apple platforms refuse server certificates valid for more than 825 days)',
    ],
    [
      { KCS_VALIDITY: '826d' },
      ['init'],
      'KCS_VALIDITY `826d` is out of range: use 1h to 825d',
      'set KCS_VALIDITY=90d (Apple platforms refuse server certificates valid for more than 825 days)',
    ],
    [
      { KCS_APP_NAME: 'MyApi' },
      ['init'],
      'KCS_APP_NAME is set without KCS_USER_SECRETS_ID',
      'set both: KCS_APP_NAME to the app assembly name and KCS_USER_SECRETS_ID to its <UserSecretsId>',
    ],
    [
      { KCS_USER_SECRETS_ID: 'abc' },
      ['init'],
      'KCS_USER_SECRETS_ID is set without KCS_APP_NAME',
      'set both: KCS_APP_NAME to the app assembly name and KCS_USER_SECRETS_ID to its <UserSecretsId>',
    ],
    [
      { KCS_APP_NAME: '..', KCS_USER_SECRETS_ID: 'abc' },
      ['init'],
      'KCS_APP_NAME `..` is not a file name',
      'set it to the app assembly name, such as MyApi',
    ],
    [
      { KCS_APP_NAME: 'My/Api', KCS_USER_SECRETS_ID: 'abc' },
      ['init'],
      'KCS_APP_NAME `My/Api` is not a file name',
      'set it to the app assembly name, such as MyApi',
    ],
    [
      { KCS_APP_NAME: 'MyApi', KCS_USER_SECRETS_ID: '../x' },
      ['init'],
      'KCS_USER_SECRETS_ID `../x` is not valid',
      'set it to the <UserSecretsId> of the app project, such as a GUID',
    ],
    [
      { KCS_APP_NAME: 'MyApi', KCS_USER_SECRETS_ID: '.' },
      ['init'],
      'KCS_USER_SECRETS_ID `.` is not valid',
      'set it to the <UserSecretsId> of the app project, such as a GUID',
    ],
  ])('%j %j', (env, argv, message, hint) => {
    expect(refusal(env, argv)).toEqual({ message, hint });
  });

  it('a KCS_STATE inside KCS_OUTPUT, or holding it', () => {
    const inside = path.join(OUT, 'state');
    expect(refusal({ KCS_STATE: inside }).message).toBe(`KCS_STATE ${inside} is inside KCS_OUTPUT ${OUT}`);
    expect(refusal({ KCS_STATE: OUT }).message).toBe(`KCS_STATE ${OUT} is inside KCS_OUTPUT ${OUT}`);
    expect(refusal({ KCS_STATE: dir }).message).toBe(`KCS_STATE ${dir} holds KCS_OUTPUT ${OUT}`);
    expect(refusal({ KCS_STATE: dir }).hint).toBe(
      'the CA key must never reach the shared volume: point KCS_STATE at a private directory apart from KCS_OUTPUT',
    );
  });
  it('a KCS_SOURCE inside KCS_STATE or holding it, through a link by its real path', () => {
    fs.mkdirSync(path.join(STATE, 'ca'), { recursive: true });
    const link = path.join(dir, 'link-to-state');
    fs.symlinkSync(STATE, link);
    expect(refusal({ KCS_SOURCE: path.join(STATE, 'ca') }).message).toBe(
      `KCS_SOURCE ${path.join(STATE, 'ca')} is inside KCS_STATE ${STATE}, where the development CA key is kept`,
    );
    expect(refusal({ KCS_SOURCE: dir }).message).toBe(
      `KCS_SOURCE ${dir} holds KCS_STATE ${STATE}, where the development CA key is kept`,
    );
    expect(refusal({ KCS_SOURCE: link }).message).toBe(
      `KCS_SOURCE ${link} (${STATE}) is inside KCS_STATE ${STATE}, where the development CA key is kept`,
    );
    expect(refusal({ KCS_SOURCE: link }).hint).toBe(
      'the CA key must never be published: point KCS_SOURCE at your certificate and key, apart from KCS_STATE, ' +
        'or unset it to have a leaf issued by the CA',
    );
  });
  it('a KCS_STATE apart in name but a link into KCS_OUTPUT, naming the real path', () => {
    fs.mkdirSync(OUT, { recursive: true });
    const link = path.join(dir, 'state-link');
    fs.symlinkSync(OUT, link);
    expect(refusal({ KCS_STATE: link }).message).toBe(`KCS_STATE ${link} (${OUT}) is inside KCS_OUTPUT ${OUT}`);
  });
});

describe('loadConfig takes', () => {
  it('validity at both ends of its range, and a sibling state whose name starts like the output', () => {
    expect(loadConfig({ ...base, KCS_VALIDITY: '1h' }, ['init']).validityMs).toBe(3_600_000);
    expect(loadConfig({ ...base, KCS_VALIDITY: '825d' }, ['init']).validityMs).toBe(825 * 86_400_000);
    expect(loadConfig({ ...base, KCS_STATE: `${OUT}-state` }, ['init']).state).toBe(`${OUT}-state`);
  });
  it('an empty variable as unset, except a secret, where empty is the empty password', () => {
    const cfg = loadConfig({ ...base, KCS_MIN_VALIDITY: '', KCS_PASSWORD: '' }, ['init']);
    expect(cfg.minValidityMs).toBe(3_600_000);
    expect(cfg.given).toEqual(['password', 'output', 'state']);
  });
  it('probe and trust options, and the mount path defaulting to the output', () => {
    const cfg = loadConfig(base, ['probe', '--url', 'https://localhost:8443', '--wait', '30s', '--insecure']);
    expect(cfg.probe).toEqual({ insecure: true, waitMs: 30_000, url: 'https://localhost:8443' });
    expect(cfg.mountPath).toBe(OUT);
    const trust = loadConfig(base, ['trust', '--status', '--java', '--ca', 'ca.crt']).trust;
    expect(trust).toEqual({ java: true, ca: path.resolve('ca.crt'), action: 'status' });
    expect(loadConfig(base, ['--help']).command).toBe('init');
  });
});

describe('describeSettings (--verbose)', () => {
  it('writes each duration in its largest whole unit, marks defaults, and hides secrets', () => {
    const cfg = loadConfig(
      { ...base, KCS_VALIDITY: '36h', KCS_MIN_VALIDITY: '90m', KCS_OUTPUT_PASSWORD: 'x', KCS_OWNER: '1:2' },
      ['init'],
    );
    const shown = describeSettings(cfg);
    expect(shown.command).toBe('init');
    expect(shown.KCS_VALIDITY).toBe('36h');
    expect(shown.KCS_MIN_VALIDITY).toBe('90m');
    expect(shown.KCS_OUTPUT_PASSWORD).toBe('***');
    expect(shown.KCS_OWNER).toBe('1:2');
    expect(shown.KCS_OUTPUT).toBe(OUT);
    expect(shown.KCS_KESTREL_FORMAT).toBe('pem (default)');
    expect(shown.KCS_HEALTH_PORT).toBe('8089 (default)');
    expect(shown.KCS_HOSTNAMES).toBe('localhost,127.0.0.1,::1,host.docker.internal,host.containers.internal (default)');
    expect(shown.KCS_SOURCE).toBe('(unset: generate a certificate)');
    expect(shown.KCS_CERT_ENTRY).toBe('(unset)');
  });
  it.each([
    ['2d', '2d'],
    ['48h', '2d'],
    ['61m', '61m'],
    ['3601s', '3601s'],
    ['3600500ms', '3600500ms'],
  ])('KCS_VALIDITY=%s is shown as %s', (given, shown) => {
    expect(describeSettings(loadConfig({ ...base, KCS_VALIDITY: given }, ['init'])).KCS_VALIDITY).toBe(shown);
  });
});

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
      'KCS_HEALTH_PORT `70000` is not valid: cannot assign a port number greater than ' +
        '65535\nfix: set KCS_HEALTH_PORT to a port number from 0 to 65535 (0 picks a free port), such as 8089',
    );
    expect(configError({ KCS_HEALTH_PORT: '80a' })).toBe(
      'KCS_HEALTH_PORT `80a` is not valid: should be a valid integer\nfix: set ' +
        'KCS_HEALTH_PORT to a port number from 0 to 65535 (0 picks a free port), such as 8089',
    );
    expect(loadConfig({ KCS_HEALTH_PORT: '0' }, ['watch']).healthPort).toBe(0);
  });

  it('throws the error our own accessors raise as it was raised, with the fix for that value', () => {
    expect(configError({ KCS_HOSTNAMES: 'api,bücher.example' })).toBe(
      'KCS_HOSTNAMES name `bücher.example` is not ASCII: certificates carry ' +
        'internationalized names in their punycode form\nfix: write it as xn--bcher-kva.example',
    );
    expect(configError({ KCS_KEY_TYPE: 'ecdsa-p265' })).toBe(
      'KCS_KEY_TYPE `ecdsa-p265` is not valid: use one of rsa-2048, rsa-3072, ecdsa-p256 ' +
        '(did you mean ecdsa-p256?)\nfix: set KCS_KEY_TYPE to one of rsa-2048, rsa-3072, ecdsa-p256',
    );
    expect(configError({}, ['init', '--min-validity', '3 weeks'])).toBe(
      'KCS_MIN_VALIDITY `3 weeks` is not a duration: use a number and a unit, such as ' +
        '90d, 12h, 30m or 45s\nfix: set KCS_MIN_VALIDITY to a value like 90d',
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
