// The live set as the plan uses it: the leaf to reuse, the generated password to keep stable. Parsed
// from what volume.ts read once (only a generation proven ours), or, for `check`, read here.
import crypto from 'node:crypto';
import type { LiveFiles } from './live-set.js';
import { readPublished } from './published.js';

export interface LiveSet {
  cert?: crypto.X509Certificate;
  key?: crypto.KeyObject;
  /** The password in cert.password, when the sidecar generated it. */
  generatedPassword?: string;
}

function tryParse<T>(data: Buffer | undefined, fn: (b: Buffer) => T): T | undefined {
  if (!data) return undefined;
  try {
    return fn(data);
  } catch {
    return undefined;
  }
}

export function parseLive({ files }: LiveFiles): LiveSet {
  const live: LiveSet = {};
  const cert = tryParse(files.get('tls.crt'), (b) => new crypto.X509Certificate(b));
  const key = tryParse(files.get('tls.key'), (b) => crypto.createPrivateKey(b));
  const pw = files.get('cert.password')?.toString('utf8');
  if (cert) live.cert = cert;
  if (key) live.key = key;
  if (pw) live.generatedPassword = pw;
  return live;
}

/** For `check`, which takes no lock: the live set of `output`, if this uid published it. */
export function readLive(output: string): LiveSet {
  return parseLive(readPublished(output, ['tls.crt', 'tls.key', 'cert.password'], true));
}
