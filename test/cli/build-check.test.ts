// The bundles are cut by their entries (sidecar/entry/bundles/), and the build refuses a module that
// two bundles would each hold a copy of when two copies could be told apart: the findings (KcsError),
// any other error class, module state. Each case builds a copy of the sources with one stray import.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Builds a copy of the sources after `edit`; the build's exit code and what it printed. */
function buildWith(edit: (dir: string) => void) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-build-'));
  for (const f of ['sidecar', 'scripts', 'package.json'])
    fs.cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  edit(dir);
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  const app = path.join(dir, 'dist/app');
  const bundles = Object.fromEntries(
    (fs.existsSync(app) ? fs.readdirSync(app) : [])
      .filter((f) => f.endsWith('.cjs'))
      .map((f) => [f.slice(0, -4), fs.readFileSync(path.join(app, f), 'latin1')]),
  );
  fs.rmSync(dir, { recursive: true, force: true });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, bundles };
}

const append = (file: string, text: string) => (dir: string) => fs.appendFileSync(path.join(dir, file), text);

describe('the build keeps each stateful module in one bundle', () => {
  it('builds the sources as they are', () => {
    const r = buildWith(() => undefined);
    expect(r.out).toContain('built dist/kestrel-cert-sidecar.mjs');
    expect(r.code).toBe(0);
    expect(Object.keys(r.bundles).sort()).toEqual(['cli', 'engine', 'probe', 'trust', 'watch']);
    expect(r.bundles.trust).not.toContain('require("kcs:engine")');
  });

  it('refuses the findings in two bundles, when the cli entry stops re-exporting them', () => {
    const r = buildWith((dir) => {
      const entry = path.join(dir, 'sidecar/entry/bundles/cli.ts');
      fs.writeFileSync(entry, fs.readFileSync(entry, 'utf8').replace("export * from '../../findings.js';\n", ''));
    });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(
      new RegExp(
        /sidecar\/findings\.ts is in the bundles cli, engine, .*and must be in one \(it declares an /.source +
          /error class or module state\)/.source,
      ),
    );
  });

  it('refuses an error class of the engine copied into the trust bundle', () => {
    const r = buildWith(
      append(
        'sidecar/trust/index.ts',
        "import { BadDecrypt } from '../pkix/pbe.js';\nexport const stray = BadDecrypt;\n",
      ),
    );
    expect(r.code).not.toBe(0);
    expect(r.out).toContain(
      'sidecar/pkix/pbe.ts is in the bundles engine, trust, and must be in one (it ' +
        'declares an error class or module state)',
    );
  });

  it('links, rather than copies, a module that an entry re-exports', () => {
    const r = buildWith(
      append(
        'sidecar/trust/index.ts',
        "import { publishStep } from '../watch/step.js';\nexport const linked = publishStep;\n",
      ),
    );
    expect(r.code).toBe(0);
    expect(r.bundles.trust).toContain('require("kcs:engine")');
    // Not a copy of step.ts: the finding code it filters on is not in the trust bundle.
    expect(r.bundles.engine).toContain('=="OUTPUT_REPAIRED"');
    expect(r.bundles.trust).not.toContain('OUTPUT_REPAIRED');
  });
});
