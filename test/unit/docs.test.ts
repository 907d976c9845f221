// docs/reference.md's tables are held to the code: every setting and every finding code is
// documented, and nothing documented is missing from the code.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTING_VARIABLES } from '../../sidecar/settings/config.js';
import { FINDING_CODES } from '../../sidecar/findings.js';

const readme = fs.readFileSync(path.resolve('docs/reference.md'), 'utf8');
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

  it('every KCS_* setting, and no other, in the Settings table', () => {
    const documented = firstCells('| env | flag | meaning | default |').flatMap((c) => [...c.matchAll(/`(KCS_[A-Z_]+)`/g)].map((m) => m[1]!));
    expect([...new Set(documented)].sort()).toEqual([...SETTING_VARIABLES].sort());
  });
});
