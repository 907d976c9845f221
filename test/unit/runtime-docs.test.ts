// docs/runtimes/: one page per runtime, each holding only commands the tests run. Every line of a ```sh block
// there must be one of the commands test/integration/support/runtime-commands.ts lists for that page (which
// the integration tests run as printed), every listed command must be on its page, and every repository
// file a command names must exist.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUNTIME_COMMANDS } from '../integration/support/runtime-commands.js';

const DIR = 'docs/runtimes';

function shLines(file: string): string[] {
  const lines = fs.readFileSync(path.join(DIR, file), 'utf8').split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```sh') continue;
    while (++i < lines.length && lines[i] !== '```') {
      const l = lines[i]!.replace(/\s+#.*$/, '').trim();
      if (l && !l.startsWith('#')) out.push(l);
    }
  }
  return out;
}

describe('docs/runtimes', () => {
  it('has one page per runtime, and no other', () => {
    expect(fs.readdirSync(DIR).sort()).toEqual(Object.keys(RUNTIME_COMMANDS).sort());
  });

  it.each(Object.entries(RUNTIME_COMMANDS))('%s prints only the commands the tests run, and all', (file, cmds) => {
    const listed: string[] = Object.values(cmds);
    const printed = shLines(file);
    expect(printed.filter((l) => !listed.includes(l))).toEqual([]);
    expect(listed.filter((c) => !printed.includes(c))).toEqual([]);
    for (const named of listed.join(' ').match(/\b(?:examples|test|scripts)\/[\w./-]+/g) ?? [])
      expect(fs.existsSync(named), named).toBe(true);
  });

  it('the README links every page', () => {
    const readme = fs.readFileSync('README.md', 'utf8');
    for (const file of Object.keys(RUNTIME_COMMANDS)) expect(readme).toContain(`docs/runtimes/${file}`);
  });
});
