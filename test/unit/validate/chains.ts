// Chains made by openssl at test time for the validate mutants' tests (the conformance matrix's
// CHAIN_SHELL: `root NAME SUBJECT [basicConstraints]`, `req NAME SUBJECT [key]`, `sign NAME ISSUER EXT`),
// read back as the Material the load stage would hand validate: tls.crt (leaf first), tls.key, ca.crt.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Material } from '../../../sidecar/material.js';
import { CHAIN_SHELL } from '../../conformance/producers.js';

/** The leaf as the shell functions write it: `localhost`, serverAuth, issued by ISSUER. */
export const LEAF = (issuer: string, ext = '$LEAF') => `req tls /CN=localhost; sign tls ${issuer} "${ext}"`;

/**
 * Runs the script in a temp dir and returns the dir. The dir is kept per script and day: Stryker runs a
 * test once per mutant, and RSA key generation would otherwise be most of its time. Made in a fresh dir
 * and renamed into place, so two test processes never see half a chain.
 */
export function makeChain(script: string): string {
  const day = new Date().toISOString().slice(0, 10);
  const hash = crypto.createHash('sha256').update(`${day}\n${CHAIN_SHELL}\n${script}`).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), 'kcs-mutants-chains', hash);
  if (fs.existsSync(dir)) return dir;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const work = fs.mkdtempSync(`${dir}-`);
  execFileSync('bash', ['-c', `${CHAIN_SHELL}\n${script}`], { cwd: work, stdio: 'pipe' });
  try {
    fs.renameSync(work, dir);
  } catch {
    fs.rmSync(work, { recursive: true, force: true }); // another process made it first
  }
  return dir;
}

/** Every certificate of a PEM file, in order. */
export function certsOf(file: string): crypto.X509Certificate[] {
  const text = fs.readFileSync(file, 'utf8');
  return (text.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map(
    (p) => new crypto.X509Certificate(p),
  );
}

/** tls.crt (leaf first, then the rest), tls.key, and ca.crt as anchors when there is one. */
export function materialOf(dir: string, opts: { anchors?: boolean } = {}): Material {
  const [leaf, ...others] = certsOf(path.join(dir, 'tls.crt'));
  const ca = path.join(dir, 'ca.crt');
  const withCa = opts.anchors !== false && fs.existsSync(ca);
  return {
    leaf: leaf!,
    key: crypto.createPrivateKey(fs.readFileSync(path.join(dir, 'tls.key'))),
    others,
    anchors: withCa ? certsOf(ca) : [],
    source: { kind: 'pem', files: [path.join(dir, 'tls.crt'), ...(withCa ? [ca] : [])], details: {} },
    findings: [],
  };
}
