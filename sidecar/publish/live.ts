// Reads back what is published now, for the pipeline: the leaf to reuse, the generated password to
// keep stable. Only what live-set.ts proves to be a generation of ours is read.
import crypto from 'node:crypto';
import { parseManifest, readLiveFiles, type Manifest } from './live-set.js';

export interface LiveSet {
  cert?: crypto.X509Certificate;
  key?: crypto.KeyObject;
  /** The password in cert.password, when the sidecar generated it. */
  generatedPassword?: string;
  manifest?: Manifest;
}

function tryParse<T>(data: Buffer | undefined, fn: (b: Buffer) => T): T | undefined {
  if (!data) return undefined;
  try {
    return fn(data);
  } catch {
    return undefined;
  }
}

export function readLive(output: string): LiveSet {
  const { files } = readLiveFiles(output, ['tls.crt', 'tls.key', 'cert.password', 'manifest.json']);
  const live: LiveSet = {};
  const cert = tryParse(files.get('tls.crt'), (b) => new crypto.X509Certificate(b));
  const key = tryParse(files.get('tls.key'), (b) => crypto.createPrivateKey(b));
  const pw = files.get('cert.password')?.toString('utf8');
  const manifest = parseManifest(files.get('manifest.json'));
  if (cert) live.cert = cert;
  if (key) live.key = key;
  if (pw) live.generatedPassword = pw;
  if (manifest) live.manifest = manifest;
  return live;
}
