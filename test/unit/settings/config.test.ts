// loadConfig's refusals of what no single value can say (sidecar/settings/config.ts), and --verbose's
// view of the settings, by the exact text a user sees.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KcsError } from '../../../sidecar/findings.js';
import { describeSettings, loadConfig } from '../../../sidecar/settings/config.js';

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
