// Every shell example in the README and docs/ that needs nothing but the CLI runs as printed: each line of
// a ```sh block whose commands all start with `npx kestrel-cert-sidecar`, in a fresh directory that holds
// a ./certs/api.pfx and its ./certs/password.txt, with a fresh HOME, as a user who is not root (so
// `trust --install` changes only that HOME). A line ending in `# exits N` must exit N; any other, 0.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../support/helpers.js';

const BIN = path.resolve('dist/kestrel-cert-sidecar.mjs');
const DOCS = [
  'README.md',
  ...fs
    .readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const CLI = /^npx kestrel-cert-sidecar(\s|$)/;

interface Example {
  file: string;
  line: number;
  commands: { text: string; exits: number }[];
}

function examples(): Example[] {
  const found: Example[] = [];
  for (const file of DOCS) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] !== '```sh') continue;
      const start = i + 1;
      const body: string[] = [];
      while (++i < lines.length && lines[i] !== '```') body.push(lines[i]!);
      const commands = body.filter((l) => l.trim() && !l.trim().startsWith('#'));
      if (commands.length === 0 || !commands.every((l) => CLI.test(l))) continue;
      found.push({
        file,
        line: start,
        commands: commands.map((text) => ({ text, exits: Number(/#\s*exits (\d+)/.exec(text)?.[1] ?? 0) })),
      });
    }
  }
  return found;
}

const asUser = process.getuid?.() === 0 ? { uid: 1654, gid: 1654 } : {};

describe('the documented CLI examples run as printed', () => {
  const all = examples();
  let shims: string;
  beforeAll(() => {
    // `npx kestrel-cert-sidecar` outside the clone would ask the registry; here it runs this build.
    shims = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-npx-'));
    fs.writeFileSync(
      path.join(shims, 'npx'),
      `#!/bin/sh\n[ "$1" = kestrel-cert-sidecar ] || { echo "npx $1: only kestrel-cert-sidecar here" >&2; exit 127; \
}\nshift\nexec "${process.execPath}" "${BIN}" "$@"\n`,
      { mode: 0o755 },
    );
    fs.chmodSync(shims, 0o755);
  });

  it('finds the examples (a test that finds none proves nothing)', () => {
    expect(all.map((e) => `${e.file}:${e.line}`)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^docs\/reference\.md:/)]),
    );
    expect(all.flatMap((e) => e.commands).length).toBeGreaterThanOrEqual(9);
  });

  it.each(all.map((e) => [`${e.file}:${e.line}`, e] as const))('%s', (_where, example) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-doc-'));
    fs.mkdirSync(path.join(dir, 'home'));
    fs.mkdirSync(path.join(dir, 'certs'));
    fs.copyFileSync(fixture('openssl3-default.pfx'), path.join(dir, 'certs/api.pfx'));
    fs.copyFileSync(fixture('password.txt'), path.join(dir, 'certs/password.txt'));
    if (asUser.uid !== undefined) execFileSync('chown', ['-R', `${asUser.uid}:${asUser.gid}`, dir]);
    for (const { text, exits } of example.commands) {
      const r = spawnSync('sh', ['-c', text], {
        cwd: dir,
        env: { PATH: `${shims}:${process.env.PATH}`, HOME: path.join(dir, 'home') },
        encoding: 'utf8',
        timeout: 60_000,
        ...asUser,
      });
      expect({ command: text, exit: r.status, stderr: exits === 0 ? r.stderr : '' }).toEqual({
        command: text,
        exit: exits,
        stderr: exits === 0 ? expect.not.stringMatching(/^[A-Z_]+ /m) : '',
      });
    }
  });
});
