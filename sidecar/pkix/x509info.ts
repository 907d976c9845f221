// Facts about a certificate for reports and the manifest, read through node:crypto. Pure.
import type { KeyObject, X509Certificate } from 'node:crypto';

export interface CertSummary {
  subject: string;
  issuer: string;
  sans: string[];
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  key: string;
  sha256: string;
  serial: string;
  selfSigned: boolean;
}

const DAY = 24 * 3600 * 1000;

/** `0:0:0:0:0:0:0:1` -> `::1`, the form users write in KCS_HOSTNAMES. */
export function compressIpv6(ip: string): string {
  const parts = ip.split(':').map((p) => p.replace(/^0+(?=.)/, '').toLowerCase());
  let best = { at: -1, len: 0 };
  for (let i = 0; i < parts.length; ) {
    if (parts[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < parts.length && parts[j] === '0') j++;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j;
  }
  if (best.at < 0) return parts.join(':');
  return `${parts.slice(0, best.at).join(':')}::${parts.slice(best.at + best.len).join(':')}`;
}

/** The DNS names and IP addresses in subjectAltName, in certificate order. */
export function sansOf(cert: X509Certificate): string[] {
  const raw = cert.subjectAltName;
  if (!raw) return [];
  const out: string[] = [];
  for (const entry of raw.split(/, (?=[A-Za-z ]+:)/)) {
    const m = /^(DNS|IP Address):(.*)$/.exec(entry);
    if (!m) continue;
    const value = m[2]!.replace(/^"(.*)"$/, '$1');
    out.push(m[1] === 'IP Address' && value.includes(':') ? compressIpv6(value) : value);
  }
  return out;
}

export function describeKey(key: KeyObject): string {
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') return `RSA ${d.modulusLength}`;
  if (key.asymmetricKeyType === 'rsa-pss') return `RSA-PSS ${d.modulusLength}`;
  if (key.asymmetricKeyType === 'ec') return `ECDSA ${curveName(d.namedCurve)}`;
  return String(key.asymmetricKeyType).toUpperCase();
}

export function curveName(curve: string | undefined): string {
  return { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[curve ?? ''] ?? String(curve);
}

export const oneLine = (dn: string | undefined) => (dn ?? '').split('\n').filter(Boolean).join(', ');

// Node's X509Certificate gives `undefined` for an empty subject or issuer (a SEQUENCE with no RDN).
// RFC 5280 4.1.2.6 allows an empty subject when subjectAltName is critical, as short-lived ACME
// profiles issue them; Kestrel serves them and clients accept them. Every reader of a name goes through
// these, so an empty name is '' and never a TypeError.
export const subjectOf = (cert: X509Certificate): string => cert.subject ?? '';
export const issuerOf = (cert: X509Certificate): string => cert.issuer ?? '';

/** The value of the subject's CN (the first, if several), or undefined. */
export const cnOf = (cert: X509Certificate): string | undefined => /(?:^|\n)CN=([^\n]+)/.exec(subjectOf(cert))?.[1];

/** How messages name a certificate: its CN, else its subject on one line, else its first
 *  subjectAltName (`localhost (no subject)`), else the start of its SHA-256 fingerprint. */
export function certName(cert: X509Certificate): string {
  const subject = subjectOf(cert);
  const cn = cnOf(cert);
  if (cn) return cn;
  if (subject) return oneLine(subject);
  const san = sansOf(cert)[0] ?? cert.subjectAltName?.split(', ')[0];
  return `${san ?? `sha256 ${cert.fingerprint256.slice(0, 23)}`} (no subject)`;
}

const selfSigned = new WeakMap<X509Certificate, boolean>();

/** Issued by itself, and its signature verifies with its own key. Remembered per certificate. */
export function isSelfSigned(cert: X509Certificate): boolean {
  let v = selfSigned.get(cert);
  // By name and signature. OpenSSL's issuer check (X509Certificate.checkIssued) also wants keyCertSign
  // in a key usage, which a self-signed server certificate such as `dotnet dev-certs`' lacks; clients
  // that trust it (openssl verify -CAfile, curl) accept it all the same.
  if (v === undefined) {
    v = subjectOf(cert) === issuerOf(cert) && cert.verify(cert.publicKey);
    selfSigned.set(cert, v);
  }
  return v;
}

type Facts = Omit<CertSummary, 'daysLeft'>;
const facts = new WeakMap<X509Certificate, Facts>();

export function summarize(cert: X509Certificate, now: Date): CertSummary {
  // The report, the manifest and the chain each summarize the leaf: its facts are read once.
  let f = facts.get(cert);
  if (!f) {
    f = {
      subject: oneLine(subjectOf(cert)),
      issuer: oneLine(issuerOf(cert)),
      sans: sansOf(cert),
      notBefore: cert.validFromDate.toISOString(),
      notAfter: cert.validToDate.toISOString(),
      key: describeKey(cert.publicKey),
      sha256: cert.fingerprint256,
      serial: cert.serialNumber,
      selfSigned: isSelfSigned(cert),
    };
    facts.set(cert, f);
  }
  const { subject, issuer, sans, notBefore, notAfter, key, sha256, serial, selfSigned: self } = f;
  return {
    subject,
    issuer,
    sans: [...sans],
    notBefore,
    notAfter,
    daysLeft: Math.floor((cert.validToDate.getTime() - now.getTime()) / DAY),
    key,
    sha256,
    serial,
    selfSigned: self,
  };
}

/** A duration in words for messages: `3 days`, `5 hours`, `12 minutes`. */
export function humanDuration(ms: number): string {
  const abs = Math.abs(ms);
  const unit =
    abs >= 2 * DAY
      ? [DAY, 'day']
      : abs >= 2 * 3600e3
        ? [3600e3, 'hour']
        : abs >= 120e3
          ? [60e3, 'minute']
          : [1e3, 'second'];
  const n = Math.floor(abs / (unit[0] as number));
  return `${n} ${unit[1]}${n === 1 ? '' : 's'}`;
}
