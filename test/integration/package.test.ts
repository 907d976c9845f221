// The npm package is a real package: `npm pack` (whose prepack builds dist/ itself) holds the built
// dist/, the README, the docs and the license and nothing else; installed into an empty project on
// Node 24, `npx kestrel-cert-sidecar init` runs there and `kestrel-cert-sidecar/testing` imports.
// The pack runs in a copy of the sources, so the build it triggers never touches this tree's dist/.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ENABLE, missing, needs } from './support/env.js';

const run = needs('npm package', missing('npm', ['--version']), ENABLE.npm);
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const node24 = path.dirname(process.execPath);

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${node24}:${process.env.PATH}`, ...env },
    timeout: 600_000,
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`,
    );
  return r.stdout;
}

describe.runIf(run)('the npm package', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-pack-'));
  let tarball: string;
  let files: string[];
  beforeAll(() => {
    const src = path.join(work, 'src');
    fs.mkdirSync(src);
    for (const f of ['package.json', 'package-lock.json', 'README.md', 'LICENSE', 'scripts', 'sidecar', 'docs'])
      fs.cpSync(path.join(ROOT, f), path.join(src, f), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(src, 'node_modules'));
    // The prepack build prints to the same stdout: the JSON report is the last thing there.
    const out = sh('npm', ['pack', '--json', '--pack-destination', work], src);
    const [packed] = JSON.parse(out.slice(out.lastIndexOf('\n[\n') + 1));
    tarball = path.join(work, packed.filename);
    files = packed.files.map((f: { path: string }) => f.path).sort();
  }, 600_000);

  it('holds dist/, the README, the docs and the license, and nothing else (prepack built dist/)', () => {
    const outside = files.filter(
      (f) => !/^(dist|docs)\//.test(f) && !['README.md', 'LICENSE', 'package.json'].includes(f),
    );
    expect(outside).toEqual([]);
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/kestrel-cert-sidecar.mjs',
        'dist/app/cli.cjs',
        'dist/app/engine.cjs',
        'dist/lib/index.mjs',
        'dist/lib/testing.mjs',
        'docs/reference.md',
        'LICENSE',
        'README.md',
      ]),
    );
    expect(files.filter((f) => /(^|\/)test\/|fixture|\.test\.|\.ts$/.test(f))).toEqual([]);
  });

  it('installs into an empty project, runs `npx kestrel-cert-sidecar init`, imports the library and testing', () => {
    const app = path.join(work, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(
      path.join(app, 'package.json'),
      JSON.stringify({ name: 'empty-app', version: '1.0.0', private: true, type: 'module' }),
    );
    const testcontainers = JSON.parse(
      fs.readFileSync(path.join(ROOT, 'node_modules/testcontainers/package.json'), 'utf8'),
    ).version;
    sh(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, `testcontainers@${testcontainers}`],
      app,
    );
    const home = path.join(work, 'home');
    fs.mkdirSync(home);
    const init = sh('npx', ['kestrel-cert-sidecar', 'init', '--output', 'out', '--hostnames', 'localhost'], app, {
      HOME: home,
    });
    expect(init).toMatch(/^published \.\.\d{4}_/);
    expect(fs.readFileSync(path.join(app, 'out', 'tls.crt'), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(sh('npx', ['kestrel-cert-sidecar', '--version'], app)).toBe(
      `kestrel-cert-sidecar ${pkg.version} (Node.js ${process.version}, linux-${process.arch})\n`,
    );
    const imported = sh(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const lib = await import('kestrel-cert-sidecar'); const t = await " +
          "import('kestrel-cert-sidecar/testing'); console.log(typeof lib.loadConfig, " +
          'typeof lib.publish, typeof t.KestrelCertsContainer, t.DEFAULT_IMAGE)',
      ],
      app,
    );
    expect(imported).toBe(`function function function kestrel-cert-sidecar:${pkg.version}\n`);
  });
});
