// Global setup: the tests that run the CLI as a user does run dist/, so dist/ is rebuilt first when any
// source it is built from is newer (an edit followed by `npx vitest` tests the edit, not the last build).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function newest(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

export default function setup(): void {
  const built = path.join(ROOT, 'dist', 'kestrel-cert-sidecar.mjs');
  const builtAt = fs.existsSync(built) ? fs.statSync(built).mtimeMs : 0;
  const sources = Math.max(
    newest(path.join(ROOT, 'sidecar')),
    fs.statSync(path.join(ROOT, 'scripts', 'build.mjs')).mtimeMs,
    fs.statSync(path.join(ROOT, 'package.json')).mtimeMs,
  );
  if (sources <= builtAt) return;
  console.log(builtAt ? 'dist/ is older than its sources: rebuilding it' : 'dist/ is missing: building it');
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
}
