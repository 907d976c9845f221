// Issues the leaf for KCS_HOSTNAMES from the CA, or reuses the one already published when it is
// still right: same names, same CA, same key type, and not past two-thirds of its lifetime.
import crypto from 'node:crypto';
import { sansOf } from '../pkix/x509info.js';
import type { Ca } from './ca.js';
import { ASPNET_HTTPS_OID_DER, buildCertificate } from './x509.js';

export { KEY_TYPES, type KeyType } from '../settings/options.js';
import type { KeyType } from '../settings/options.js';

export interface LeafOptions {
  hostnames: string[];
  keyType: KeyType;
  validityMs: number;
  /** Make it pass Kestrel's development-certificate test: CN=localhost and the ASP.NET marker. */
  devCert: boolean;
  now: Date;
  /** A key made ahead of time (see early-key.ts); generated here when absent. */
  key?: crypto.KeyObject;
}

export interface Leaf {
  cert: crypto.X509Certificate;
  key: crypto.KeyObject;
  reused: boolean;
}

/** Renew at two-thirds of the lifetime, as cert-manager does by default. */
export const RENEW_AT_FRACTION = 2 / 3;

export function generateKey(type: KeyType): crypto.KeyObject {
  if (type === 'ecdsa-p256') return crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  return crypto.generateKeyPairSync('rsa', { modulusLength: type === 'rsa-3072' ? 3072 : 2048 }).privateKey;
}

function keyTypeOf(key: crypto.KeyObject): string {
  return key.asymmetricKeyType === 'ec' ? 'ecdsa-p256' : `rsa-${key.asymmetricKeyDetails?.modulusLength}`;
}

const normalize = (names: string[]) =>
  [...new Set(names.map((n) => n.toLowerCase().replace(/^\[|\]$/g, '')))].sort().join(',');

export function renewalTime(cert: crypto.X509Certificate): Date {
  const from = cert.validFromDate.getTime();
  return new Date(from + (cert.validToDate.getTime() - from) * RENEW_AT_FRACTION);
}

/** Why the previous leaf cannot be reused, or undefined when it can. */
export function reissueReason(
  prev: { cert: crypto.X509Certificate; key: crypto.KeyObject },
  ca: Ca,
  opts: LeafOptions,
): string | undefined {
  const { cert, key } = prev;
  if (!cert.checkIssued(ca.cert) || !cert.verify(ca.cert.publicKey)) return 'the CA changed';
  if (!cert.checkPrivateKey(key)) return 'the published key does not match';
  if (normalize(sansOf(cert)) !== normalize(opts.hostnames)) return 'KCS_HOSTNAMES changed';
  if (keyTypeOf(key) !== opts.keyType) return 'KCS_KEY_TYPE changed';
  const devCert = cert.raw.includes(ASPNET_HTTPS_OID_DER);
  if (devCert !== opts.devCert) return 'KCS_APP_NAME changed';
  const lifetime = cert.validToDate.getTime() - cert.validFromDate.getTime();
  if (Math.abs(lifetime - opts.validityMs) > 3600e3) return 'KCS_VALIDITY changed';
  if (opts.now >= renewalTime(cert)) return 'it is past two-thirds of its lifetime';
  return undefined;
}

export function issueLeaf(ca: Ca, opts: LeafOptions): Leaf {
  const key = opts.key ?? generateKey(opts.keyType);
  const publicKey = crypto.createPublicKey(key);
  // Kestrel accepts a development certificate only with exactly this subject.
  const cn = opts.devCert
    ? 'localhost'
    : (opts.hostnames.find((h) => !/^[\d.:[\]]+$/.test(h)) ?? opts.hostnames[0] ?? 'localhost');
  const cert = buildCertificate({
    subject: { cn },
    issuerCert: ca.cert,
    // Five minutes back, for clocks a little behind ours (containers share the host clock, VMs may not).
    notBefore: new Date(opts.now.getTime() - 300e3),
    notAfter: new Date(opts.now.getTime() - 300e3 + opts.validityMs),
    publicKey,
    signingKey: ca.key,
    ca: false,
    sans: opts.hostnames,
    aspNetDevCert: opts.devCert,
  });
  return { cert, key, reused: false };
}
