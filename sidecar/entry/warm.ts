// dist/warm-code-cache.mjs: runs each command of the CLI once, in a temporary directory, and writes
// the code caches of the bundles it loaded (see loader.ts). `watch` is not run: it starts once per
// pod, and its waiting process is leaner without a cache (only what runs is compiled). `npm run build` runs it with the
// Node that built the
// bundle, and the image build again with the image's own Node.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load, saveCodeCaches } from './loader.js';
import type { main as Main } from '../cli/main.js';
import type { Out } from '../out.js';

const main = load('cli').main as typeof Main;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-warm-'));
const quiet: Out = { out: () => undefined, err: () => undefined };
const at = (...p: string[]) => path.join(dir, ...p);

async function run(args: string[], env: NodeJS.ProcessEnv = {}, expected = 0): Promise<void> {
  const code = await main(args, env, quiet, {});
  if (code !== expected) throw new Error(`warming the code cache: \`${args.join(' ')}\` exited with ${code}`);
}

try {
  // A generated certificate, then that set mounted back as a PFX and as a PEM pair, then check.
  await run(['init', '--output', at('generated'), '--state', at('state')]);
  const password = fs.readFileSync(at('generated', 'cert.password'), 'utf8');
  await run(['init', '--output', at('from-pfx'), '--source', at('generated', 'cert.pfx')], { KCS_PASSWORD: password });
  fs.mkdirSync(at('pem'));
  for (const f of ['tls.crt', 'tls.key', 'ca.crt']) fs.copyFileSync(at('generated', f), at('pem', f));
  await run(['init', '--output', at('from-pem'), '--source', at('pem')]);
  await run(['check', '--source', at('pem')]);
  await run(['check', '--json', '--source', at('generated', 'cert.pfx')], { KCS_PASSWORD: password });
  await run(['--help']);
  // probe, as a compose healthcheck runs it every few seconds: here against a closed port (exit 6).
  await run(['probe', '--url', 'https://127.0.0.1:1/', '--insecure', '--expect-sha256', 'AB'.repeat(32)], {}, 6);
  saveCodeCaches(true);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
