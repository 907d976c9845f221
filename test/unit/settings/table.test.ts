// The settings block of --help (sidecar/settings/table.ts settingsHelp), by the exact text a user reads.
import { beforeEach, describe, expect, it } from 'vitest';
import { SETTING_ENTRIES, settingsHelp } from '../../../sidecar/settings/table.js';

const COLUMN = ' '.repeat(57);

describe('settingsHelp', () => {
  // Built in each test, not once at import: Stryker switches its mutants per test.
  let help: string[] = [];
  beforeEach(() => {
    help = settingsHelp().split('\n');
  });
  it('starts with its heading and ends with --verbose', () => {
    expect(help[0]).toBe('settings (flag, or environment variable; the flag wins):');
    expect(help.at(-1)).toBe(
      '  --verbose                    print effective settings (secrets as ***) and stack traces of internal errors',
    );
  });
  it('gives each setting a line: flag, variable, help and its default', () => {
    expect(help).toContain(
      '  --source DIR|FILE            KCS_SOURCE                the input (default: generate a certificate)',
    );
    expect(help).toContain(
      '  --min-validity DUR           KCS_MIN_VALIDITY          fail when expiring sooner (default 1h)',
    );
    expect(help).toContain(
      '  --user-secrets-id ID         KCS_USER_SECRETS_ID       the <UserSecretsId> of the app, for that layout',
    );
    for (const [, s] of SETTING_ENTRIES)
      expect(help.filter((l) => l.slice(31, 57).trimEnd() === s.env)).toHaveLength(1);
  });
  it('shows a secret without a flag', () => {
    expect(help).toContain(
      '  (secret)                     KCS_PASSWORD              password of the input PFX or encrypted key',
    );
  });
  it('wraps long help at 110 columns under its own column, with the choices and the default', () => {
    const at = help.indexOf(
      '  --pfx-profile P              KCS_PFX_PROFILE           the encryption of cert.pfx: modern, legacy-3des',
    );
    expect(at).toBeGreaterThan(0);
    expect(help[at + 1]).toBe(`${COLUMN}(default modern)`);
    const cert = help.indexOf(
      '  --cert FILE                  KCS_CERT_FILE             the certificate file, when the source holds several',
    );
    expect(help[cert + 1]).toBe(`${COLUMN}(default: auto-detect)`);
  });
  it('puts a word longer than the column on a line of its own rather than breaking it', () => {
    expect(help).toContain(`${COLUMN}(default localhost,127.0.0.1,::1,host.docker.internal,host.containers.internal)`);
    const over = help.filter((l) => l.length > 110);
    expect(over).toEqual([`${COLUMN}(default localhost,127.0.0.1,::1,host.docker.internal,host.containers.internal)`]);
    expect(help.every((l) => l === l.trimEnd())).toBe(true);
  });
});
