// A reader in its own process: opens tls.crt, tls.key and cert.pfx in a loop and checks that every
// file is complete and parses, and that every pair belongs together. Prints {checks, failures} on
// SIGTERM.
//
// `consistent` (the default) reads the way the AtomicWriter contract is meant to be used: resolve
// ..data once, then open both files in that generation, which stays at least 10 s after a swap.
// `naive` opens the top-level names one after the other, as Kestrel's Path and KeyPath are read: it
// must never find a file missing or partial, but a swap may fall between its two opens.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// With --pfx, every 10th check also opens cert.pfx with our reader and compares its leaf with tls.crt.
const lib = process.argv.includes('--pfx')
  ? await import(pathToFileURL(path.resolve('dist/lib/index.mjs')).href)
  : undefined;

const out = process.argv[2];
const mode = process.argv[3] ?? 'consistent';
let checks = 0;
const failures = [];
let running = true;
process.on('SIGTERM', () => (running = false));

let straddled = 0;

function once() {
  try {
    const dir = mode === 'naive' ? out : path.join(out, fs.readlinkSync(path.join(out, '..data')));
    const cert = new crypto.X509Certificate(fs.readFileSync(path.join(dir, 'tls.crt')));
    const key = crypto.createPrivateKey(fs.readFileSync(path.join(dir, 'tls.key')));
    if (!cert.checkPrivateKey(key)) {
      if (mode === 'naive') straddled++;
      else failures.push(`mismatched pair at check ${checks}`);
    }
    const pfx = fs.readFileSync(path.join(dir, 'cert.pfx'));
    if (pfx.length < 100) failures.push(`short cert.pfx at check ${checks}`);
    if (lib && mode === 'consistent' && checks % 10 === 0) {
      const password = fs.readFileSync(path.join(dir, 'cert.password'), 'utf8');
      const inPfx = lib.parsePkcs12(pfx, password).certs[0];
      if (!Buffer.from(inPfx).equals(Buffer.from(cert.raw)))
        failures.push(`cert.pfx holds another certificate at check ${checks}`);
    }
  } catch (err) {
    failures.push(`${err.code ?? err.message} at check ${checks}`);
  }
  checks++;
}

while (running) {
  for (let i = 0; i < 50; i++) once();
  await new Promise((r) => setImmediate(r));
}
process.stdout.write(JSON.stringify({ mode, checks, straddled, failures: failures.slice(0, 20) }));
