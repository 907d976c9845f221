// Reads back what is published now: the leaf to reuse, the generated password to keep stable.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface LiveSet {
  cert?: crypto.X509Certificate;
  key?: crypto.KeyObject;
  /** The password in cert.password, when the sidecar generated it. */
  generatedPassword?: string;
  manifest?: { generation: string; sha256: string; notAfter: string; [k: string]: unknown };
}

function tryRead<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/** Only the manifest of the live set, for reports that need no key. */
export function readManifest(output: string): LiveSet['manifest'] {
  return tryRead(() => JSON.parse(fs.readFileSync(path.join(output, '..data', 'manifest.json'), 'utf8')));
}

export function readLive(output: string): LiveSet {
  const at = (f: string) => path.join(output, '..data', f);
  const live: LiveSet = {};
  const cert = tryRead(() => new crypto.X509Certificate(fs.readFileSync(at('tls.crt'))));
  const key = tryRead(() => crypto.createPrivateKey(fs.readFileSync(at('tls.key'))));
  const pw = tryRead(() => fs.readFileSync(at('cert.password'), 'utf8'));
  const manifest = readManifest(output);
  if (cert) live.cert = cert;
  if (key) live.key = key;
  if (pw) live.generatedPassword = pw;
  if (manifest) live.manifest = manifest;
  return live;
}
