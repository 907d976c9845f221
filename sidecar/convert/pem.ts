// PEM encoding of what we publish. Pure.
import type { KeyObject, X509Certificate } from 'node:crypto';

export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

export function certsToPem(certs: readonly X509Certificate[]): string {
  return certs.map((c) => toPem('CERTIFICATE', c.raw)).join('');
}

const pkcs8 = new WeakMap<KeyObject, Buffer>();

/** The key as unencrypted PKCS#8 DER, exported once per key (tls.key, cert.pfx and the digest all need it). */
export function pkcs8Der(key: KeyObject): Buffer {
  let der = pkcs8.get(key);
  if (!der) {
    der = key.export({ type: 'pkcs8', format: 'der' });
    pkcs8.set(key, der);
  }
  return der;
}

/** Unencrypted PKCS#8: the form Kestrel reads with KeyPath and no Password. */
export function keyToPem(key: KeyObject): string {
  return toPem('PRIVATE KEY', pkcs8Der(key));
}
