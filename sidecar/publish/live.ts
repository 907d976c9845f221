// Reads back what is published now: the leaf to reuse, the generated password to keep stable.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readManifest, type Manifest } from './manifest.js';

export interface LiveSet {
  cert?: crypto.X509Certificate;
  key?: crypto.KeyObject;
  /** The password in cert.password, when the sidecar generated it. */
  generatedPassword?: string;
  manifest?: Manifest;
}

function tryRead<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
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
