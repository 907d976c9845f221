// PEM encoding of what we publish. Pure.
import type { KeyObject, X509Certificate } from 'node:crypto';

export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

export function certsToPem(certs: readonly X509Certificate[]): string {
  return certs.map((c) => toPem('CERTIFICATE', c.raw)).join('');
}

/** Unencrypted PKCS#8: the form Kestrel reads with KeyPath and no Password. */
export function keyToPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}
