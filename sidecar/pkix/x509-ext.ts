// What node:crypto's X509Certificate does not tell: the signature algorithm and the extensions with
// their critical flags, read from the DER with the bounded ASN.1 reader. For validate (pure).
import type { X509Certificate } from 'node:crypto';
import { Class, Type, algorithm, explicit, octets, oid, parseDer, seq, uint, type Asn1 } from './asn1.js';

export interface Extension {
  oid: string;
  critical: boolean;
  value: Buffer;
}

export interface CertFacts {
  /** 1, 2 or 3: the version field is absent (v1) in certificates from `openssl x509 -req -signkey`. */
  version: number;
  /** The OID of the algorithm the issuer signed it with. */
  signature: string;
  /** The subject Name as it is encoded (for OpenSSL's subject hash). */
  subject: Asn1;
  extensions: Extension[];
}

const facts = new WeakMap<X509Certificate, CertFacts>();

export function certFacts(cert: X509Certificate): CertFacts {
  let f = facts.get(cert);
  if (f) return f;
  const tbs = seq(seq(parseDer(cert.raw, 'a certificate'), 'a certificate', 3)[0], 'the TBSCertificate', 6);
  // RFC 5280 4.1: version [0] EXPLICIT DEFAULT v1 is absent in a v1 certificate, so every later field
  // is read from where the serial number is: serial, signature, issuer, validity, subject, key.
  const hasVersion = tbs[0]!.tagClass === Class.CONTEXT_SPECIFIC && tbs[0]!.type === 0;
  const at = hasVersion ? 1 : 0;
  const version = hasVersion ? uint(explicit(tbs[0], 0, 'the version'), 'the version') + 1 : 1;
  const signature = algorithm(tbs[at + 1], 'the signature algorithm').oid;
  const subject = tbs[at + 4];
  seq(subject, 'the subject');
  const wrapper = tbs.find((n) => n.tagClass === Class.CONTEXT_SPECIFIC && n.type === 3);
  const extensions: Extension[] = [];
  if (wrapper) {
    for (const ext of seq(explicit(wrapper, 3, 'the extensions'), 'the extensions')) {
      const parts = seq(ext, 'an extension', 2);
      const critical = parts.length === 3 && parts[1]!.type === Type.BOOLEAN && (parts[1]!.value as string) !== '\x00';
      extensions.push({
        oid: oid(parts[0], 'an extension'),
        critical,
        value: octets(parts.at(-1) as Asn1, 'an extension value'),
      });
    }
  }
  f = { version, signature, subject: subject!, extensions };
  facts.set(cert, f);
  return f;
}

/** The key usage bits (RFC 5280 4.2.1.3) by name, or undefined when the extension is absent. */
export function keyUsage(cert: X509Certificate): string[] | undefined {
  const ext = certFacts(cert).extensions.find((e) => e.oid === '2.5.29.15');
  if (!ext) return undefined;
  const bits = parseDer(ext.value, 'the key usage').value as string;
  const bytes = Buffer.from(bits.slice(1), 'latin1');
  const names = [
    'digitalSignature',
    'nonRepudiation',
    'keyEncipherment',
    'dataEncipherment',
    'keyAgreement',
    'keyCertSign',
    'cRLSign',
    'encipherOnly',
    'decipherOnly',
  ];
  return names.filter((_, i) => (bytes[i >> 3] ?? 0) & (0x80 >> (i & 7)));
}
