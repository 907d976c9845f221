// docs/reference.md's tables are held to the code: every setting and every finding code is
// documented, and nothing documented is missing from the code. The findings table is held to the
// catalogue of the findings' words (sidecar/messages/): each code's row holds its one-line summary.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS, SETTING_VARIABLES, describeSettings, loadConfig } from '../../sidecar/settings/config.js';
import { SETTING_ENTRIES } from '../../sidecar/settings/table.js';
import { FINDING_CODES, formatFinding, type Finding } from '../../sidecar/findings.js';
import { located, messages, summaries } from '../../sidecar/messages/index.js';

const readme = fs.readFileSync(path.resolve('docs/reference.md'), 'utf8');

/** The rows of a findings table (headed `| code | severity | exit | when |`), by code. */
function findingRows(text: string): Record<string, { when: string }> {
  const start = text.indexOf('| code | severity | exit | when |');
  const rows = text.slice(start).split('\n\n')[0]!.split('\n').slice(2);
  return Object.fromEntries(
    rows.map((r) => {
      const cells = r.split('|').map((c) => c.trim());
      return [cells[1]!.replace(/`/g, ''), { when: cells[4]! }];
    }),
  );
}
/** The first cell of each row of the table whose header starts with `header`. */
function firstCells(header: string): string[] {
  const start = readme.indexOf(header);
  expect(start, `docs/reference.md has a table headed ${header}`).toBeGreaterThan(-1);
  const rows = readme.slice(start).split('\n\n')[0]!.split('\n').slice(2);
  return rows.map((r) => r.split('|')[1]!.trim());
}

describe('docs/reference.md documents what the code has', () => {
  it('every finding code, and no other, in the Findings table', () => {
    const documented = firstCells('| code | severity | exit | when |').map((c) => c.replace(/`/g, ''));
    expect([...documented].sort()).toEqual([...FINDING_CODES].sort());
  });

  it('every code of the catalogue, and no other, in the Findings table, its row holding its summary', () => {
    const catalogue = summaries();
    expect(Object.keys(catalogue).sort()).toEqual([...FINDING_CODES].sort());
    // Each entry is named by its code: messages.PASSWORD_WRONG raises PASSWORD_WRONG.
    expect(Object.entries(messages).filter(([name, e]) => e.code !== name)).toEqual([]);
    const rows = findingRows(readme);
    expect(Object.keys(rows).sort()).toEqual(Object.keys(catalogue).sort());
    const unsaid = Object.entries(catalogue)
      .filter(([code, summary]) => !rows[code]!.when.includes(summary))
      .map(([code, summary]) => `${code}: "${summary}" is not in its "when" cell: "${rows[code]!.when}"`);
    expect(unsaid).toEqual([]);
  });

  it("every summary of the catalogue is one line of the docs' own words, not a sentence of its own", () => {
    const bad = Object.entries(summaries()).filter(([, s]) => s === '' || /[\n.]$/.test(s) || s.includes('|'));
    expect(bad).toEqual([]);
  });

  it('the README names only codes of the catalogue, and holds any findings table of its own to it', () => {
    const text = fs.readFileSync('README.md', 'utf8');
    const catalogue = summaries();
    // Backticked names shaped like a code, and not an environment variable of ours or of ASP.NET Core's.
    const named = [...text.matchAll(/`([A-Z]+(?:_[A-Z]+)+)[` ]/g)]
      .map((m) => m[1]!)
      .filter((n) => !/^(KCS|ASPNETCORE|DOTNET|SSL|NODE)_/.test(n));
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((n) => !(n in catalogue))).toEqual([]);
    if (!text.includes('| code | severity | exit | when |')) return;
    const rows = findingRows(text);
    expect(Object.keys(rows).filter((c) => !rows[c]!.when.includes(catalogue[c] ?? '\0'))).toEqual([]);
  });

  it("the example of a finding is the catalogue's words for it, as the text output prints them", () => {
    const m = messages.PASSWORD_WRONG.pfx({ detail: 'the PKCS#12 integrity check failed' });
    const f: Finding = { ...located(m, 'cannot open', '/certs/api.pfx'), severity: 'error' };
    expect(readme).toContain(`\`\`\`\n${formatFinding(f)}\n\`\`\``);
  });

  it('every KCS_* setting, and no other, in the Settings table', () => {
    const documented = firstCells('| env | flag | meaning | default |').flatMap((c) =>
      [...c.matchAll(/`(KCS_[A-Z_]+)`/g)].map((m) => m[1]!),
    );
    expect([...new Set(documented)].sort()).toEqual([...SETTING_VARIABLES].sort());
  });

  it('every setting with its own flag (and the secrets with none), as the table of settings has it', () => {
    const start = readme.indexOf('| env | flag | meaning | default |');
    const rows = readme.slice(start).split('\n\n')[0]!.split('\n').slice(2);
    const documented: Record<string, string | null> = {};
    for (const row of rows) {
      const [, envCell, flagCell] = row.split('|');
      const envs = [...envCell!.matchAll(/`(KCS_[A-Z_]+)`/g)].map((m) => m[1]!);
      const flags = [...flagCell!.matchAll(/`--([a-z0-9-]+)`/g)].map((m) => m[1]!);
      for (const [i, env] of envs.entries()) documented[env] = flags[i] ?? null;
    }
    const table = Object.fromEntries(Object.values(SETTINGS).map((s) => [s.env, 'flag' in s ? s.flag : null]));
    expect(documented).toEqual(table);
  });
  it("every default and every choice of the table of settings, in the setting's row", () => {
    const start = readme.indexOf('| env | flag | meaning | default |');
    const rows = readme.slice(start).split('\n\n')[0]!.split('\n').slice(2);
    const cells = (env: string) =>
      rows
        .find((r) => r.split('|')[1]!.includes(`\`${env}\``))!
        .split('|')
        .map((c) => c.trim());
    const wrong: string[] = [];
    for (const [, s] of SETTING_ENTRIES) {
      const [, , , meaning, dflt] = cells(s.env);
      if (s.default !== undefined && !dflt!.includes(`\`${s.default}\``))
        wrong.push(`${s.env}: default \`${s.default}\` is not in "${dflt}"`);
      for (const o of s.options ?? [])
        if (!meaning!.includes(`\`${o}\``)) wrong.push(`${s.env}: choice \`${o}\` is not in "${meaning}"`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('--verbose shows every setting of the table, secrets as ***', () => {
  it('for a configuration that sets them all', () => {
    const env: Record<string, string> = {
      KCS_SOURCE: '/certs',
      KCS_CERT_FILE: 'a.crt',
      KCS_KEY_FILE: 'a.key',
      KCS_CERT_ENTRY: 'api',
      KCS_PASSWORD: 'in-Secret-1',
      KCS_USER_SECRETS: '/s.json',
      KCS_OUTPUT: '/tmp/kcs-verbose-out',
      KCS_MOUNT_PATH: '/https',
      KCS_OUTPUT_PASSWORD: 'out-Secret-2',
      KCS_HOSTNAMES: 'api',
      KCS_MIN_VALIDITY: '2h',
      KCS_OWNER: '1:2',
      KCS_KESTREL_FORMAT: 'pfx',
      KCS_PFX_PROFILE: 'modern',
      KCS_KEY_TYPE: 'ecdsa-p256',
      KCS_VALIDITY: '30d',
      KCS_STATE: '/tmp/kcs-verbose-state',
      KCS_APP_NAME: 'Api',
      KCS_USER_SECRETS_ID: 'abc',
      KCS_HEALTH_PORT: '9000',
      KCS_HEALTH_ADDRESS: '127.0.0.1',
      KCS_LOG_FORMAT: 'json',
      KCS_RUNS_IN: 'container',
    };
    const shown = describeSettings(loadConfig(env, ['init']));
    // The two *_FILE variants of the passwords cannot be set beside the passwords themselves.
    const missing = SETTING_VARIABLES.filter(
      (v) => !(v in shown) && !['KCS_PASSWORD_FILE', 'KCS_OUTPUT_PASSWORD_FILE'].includes(v),
    );
    expect(missing).toEqual([]);
    expect([shown.KCS_PASSWORD, shown.KCS_OUTPUT_PASSWORD]).toEqual(['***', '***']);
    expect(JSON.stringify(shown)).not.toMatch(/Secret-/);
  });
});

describe('the README and docs/ link only to what exists', () => {
  it('every relative link resolves to a file or directory of the repository', () => {
    const files = [
      'README.md',
      ...fs
        .readdirSync('docs')
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`),
    ];
    const broken = files.flatMap((file) =>
      [...fs.readFileSync(file, 'utf8').matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
        .map((m) => m[1]!)
        .filter((link) => !/^[a-z]+:/.test(link) && !fs.existsSync(path.join(path.dirname(file), link)))
        .map((link) => `${file} -> ${link}`),
    );
    expect(broken).toEqual([]);
  });
});
