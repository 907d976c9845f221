// Runs the judge (Program.cs): built once per content of its sources into .cache/, then `serve` for
// many cases in one process. Used by the matrix (test/conformance/matrix.test.ts) and the generator
// (test/conformance/generator/).
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { cleanEnv, ROOT } from '../../integration/support/env.js';

export function buildJudge(): string {
  const dir = path.join(ROOT, 'test/conformance/judge');
  const hash = crypto.createHash('sha256');
  for (const f of fs
    .readdirSync(dir)
    .filter((n) => /\.(cs|csproj)$/.test(n))
    .sort())
    hash.update(fs.readFileSync(path.join(dir, f)));
  const out = path.join(ROOT, '.cache', `judge-${hash.digest('hex').slice(0, 12)}`);
  if (!fs.existsSync(path.join(out, 'Judge.dll'))) {
    const r = spawnSync('dotnet', ['build', dir, '-c', 'Release', '-o', out, '--nologo'], {
      encoding: 'utf8',
      env: cleanEnv(),
    });
    if (r.status !== 0) throw new Error(`dotnet build of the judge failed:\n${r.stdout}\n${r.stderr}`);
  }
  return path.join(out, 'Judge.dll');
}

export interface ServeCase {
  id: string;
  mode: 'pem-urls' | 'pem-config' | 'pfx-urls' | 'dev';
  path?: string;
  keyPath?: string;
  password?: string;
  appdata?: string;
}

export interface Serving {
  results: Map<string, { port?: number; error?: string }>;
  stop: () => Promise<void>;
}

/** Starts every case in one judge process (a Kestrel each); returns each case's port or error, and the stop.
 *  `env` adds to the judge's environment. */
export async function serve(judge: string, cases: ServeCase[], env: Record<string, string> = {}): Promise<Serving> {
  const child = spawn('dotnet', [judge, 'serve'], {
    env: cleanEnv({ HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-judge-home-')), ...env }),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const results = new Map<string, { port?: number; error?: string }>();
  const lines = readline.createInterface({ input: child.stdout });
  const ready = new Promise<void>((resolve, reject) => {
    lines.on('line', (l) => {
      const r = JSON.parse(l) as { id?: string; port?: number; error?: string; ready?: boolean };
      if (r.ready) resolve();
      else if (r.id) results.set(r.id, r);
    });
    child.on('exit', (code) => reject(new Error(`the judge ended with ${code}`)));
  });
  child.stdin.write(`${cases.map((c) => JSON.stringify(c)).join('\n')}\n\n`);
  await ready;
  return {
    results,
    stop: () =>
      new Promise<void>((r) => {
        child.removeAllListeners('exit');
        child.on('exit', () => r());
        child.stdin.end();
      }),
  };
}
