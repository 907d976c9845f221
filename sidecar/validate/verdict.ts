// OpenSSL's verdict (verifier.ts) told as a finding whose sentence is true of the strict clients. The
// verdict is OpenSSL's; this file only says it. Node names a verify result only when it is in its own
// table (src/crypto/crypto_common.cc), and reports newer ones (CA_KEY_TOO_SMALL, CA_MD_TOO_WEAK,
// PERMITTED_VIOLATION, ...) as UNSPECIFIED: for those, and for INVALID_PURPOSE (which names no
// certificate), the certificate facts say which rule of OpenSSL's refused the chain.
import type { X509Certificate } from 'node:crypto';
import { finding, type Finding } from '../findings.js';
import { CAUSES, type Cause, messages, RESULTS } from '../messages/index.js';
import type { Material } from '../material.js';
import { certFacts, keyUsage } from '../pkix/x509-ext.js';
import { certName, isSelfSigned, issuerOf, oneLine } from '../pkix/x509info.js';
import type { Verdict } from './verifier.js';

/** The chain Kestrel sends and what clients trust (chain.ts chooses it; the verdict is said about it). */
export interface Trust {
  /** The leaf, then each issuer found, as buildPath found them. */
  path: X509Certificate[];
  /** What the server sends: the path without a self-signed root. */
  chain: X509Certificate[];
  /** What clients should trust: ca.crt. */
  anchors: X509Certificate[];
  /** The source lacks the top's issuer, so the top itself is the anchor (partial-chain trust). */
  partial: boolean;
  findings: Finding[];
}

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const WEAK_DIGESTS: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'SHA-1 with RSA',
  '1.2.840.10045.4.1': 'ECDSA with SHA-1',
  '1.2.840.10040.4.3': 'DSA with SHA-1',
  '1.2.840.113549.1.1.4': 'MD5 with RSA',
  '1.2.840.113549.1.1.2': 'MD2 with RSA',
};
const TLS_USAGES = ['digitalSignature', 'keyEncipherment', 'keyAgreement'];
const NETSCAPE_CERT_TYPE = '2.16.840.1.113730.1.1';
const NAME_CONSTRAINTS = '2.5.29.30';

/** Security level 2 wants 112 bits of security: RSA 2048, or an elliptic curve of 224 bits. */
function weakKey(c: X509Certificate): string | undefined {
  const { asymmetricKeyType: type, asymmetricKeyDetails: d } = c.publicKey;
  if (type === 'rsa' && (d?.modulusLength ?? 0) < 2048) return `RSA ${d?.modulusLength}`;
  const curveBits = Number(/(\d{3})/.exec(d?.namedCurve ?? '')?.[1] ?? Infinity);
  if (type === 'ec' && curveBits < 224) return `ECDSA ${d?.namedCurve}`;
  return undefined;
}
const ext = (c: X509Certificate, oid: string) => certFacts(c).extensions.find((e) => e.oid === oid);

/** The Netscape cert type's SSL server bit (bit 1 of the BIT STRING), when the extension is there. */
function netscapeServer(c: X509Certificate): boolean | undefined {
  const e = ext(c, NETSCAPE_CERT_TYPE);
  // The value is a BIT STRING: tag, length, unused-bits count, then the bits.
  return e ? ((e.value[3] ?? 0) & 0x40) !== 0 : undefined;
}

/** Which of OpenSSL's purpose rules refused the chain (check_purpose_ssl_server, check_ca). */
function purposeCause(certs: X509Certificate[]): Cause {
  const [leaf, ...issuers] = certs;
  /** The issuer's name, or none for the certificate itself. */
  const issuer = (c: X509Certificate) => (c === leaf ? undefined : certName(c));
  const notCa = issuers.find((c) => !c.ca);
  if (notCa) return CAUSES.notCa({ name: certName(notCa) });
  for (const c of certs) {
    const eku = c.keyUsage;
    if (eku && !eku.includes(SERVER_AUTH)) return CAUSES.ekuWithoutServerAuth({ issuer: issuer(c), usages: eku });
    // ku_reject(x, KU_TLS) in check_purpose_ssl_server: a key usage with none of the three TLS bits.
    const usage = c === leaf ? keyUsage(c) : undefined;
    if (usage && !usage.some((u) => TLS_USAGES.includes(u))) return CAUSES.keyUsage({ usage, tls: TLS_USAGES });
    if (netscapeServer(c) === false) return CAUSES.netscapeNotServer({ issuer: issuer(c) });
  }
  return CAUSES.purpose();
}

/** The extensions OpenSSL's verifier handles (X509_supported_extension, OpenSSL 3.0 crypto/x509/v3_purp.c):
 *  a critical extension outside this list makes it refuse the certificate. */
const HANDLED_EXTENSIONS = new Set([
  '2.16.840.1.113730.1.1', // netscape-cert-type
  '2.5.29.15', // keyUsage
  '2.5.29.17', // subjectAltName
  '2.5.29.19', // basicConstraints
  '2.5.29.32', // certificatePolicies
  '2.5.29.31', // cRLDistributionPoints
  '2.5.29.37', // extKeyUsage
  '1.3.6.1.5.5.7.1.7', // sbgp-ipAddrBlock
  '1.3.6.1.5.5.7.1.8', // sbgp-autonomousSysNum
  '2.5.29.36', // policyConstraints
  '1.3.6.1.5.5.7.1.14', // proxyCertInfo
  '2.5.29.30', // nameConstraints
  '2.5.29.33', // policyMappings
  '2.5.29.54', // inhibitAnyPolicy
]);

/** What a result Node reports as UNSPECIFIED was, from the facts OpenSSL's checks read. */
function unnamedCause(certs: X509Certificate[]): Cause | undefined {
  for (const c of certs) {
    const unhandled = certFacts(c).extensions.find((e) => e.critical && !HANDLED_EXTENSIONS.has(e.oid));
    if (unhandled) return CAUSES.unhandledExtension({ name: certName(c), oid: unhandled.oid });
  }
  // A trusted root's own signature is not checked: clients trust its key.
  const weak = certs.find((c) => WEAK_DIGESTS[certFacts(c).signature] && !isSelfSigned(c));
  if (weak) return CAUSES.weakSignature({ name: certName(weak), digest: WEAK_DIGESTS[certFacts(weak).signature]! });
  const small = certs.find((c) => weakKey(c));
  if (small) return CAUSES.weakKey({ name: certName(small), key: weakKey(small)!, leaf: small === certs[0] });
  const constrained = certs.slice(1).find((c) => ext(c, NAME_CONSTRAINTS));
  if (constrained) return CAUSES.nameConstraints({ constrained: certName(constrained) });
  return undefined;
}

/** Time is ours (expiry.ts, with KCS_MIN_VALIDITY): OpenSSL's time results add nothing to it. */
const TIME = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
]);

/**
 * What curl checks itself after OpenSSL's verify: it prints the server certificate's issuer and stops
 * when that name is empty ("SSL: couldn't get X509-issuer name", curl lib/vtls/openssl.c, servercert).
 * Seen by the conformance generator: a root with an empty subject is accepted by OpenSSL, Node, Python
 * and .NET, and refused by curl.
 */
function curlRules(m: Material, file: string | undefined): Finding[] {
  if (issuerOf(m.leaf) !== '') return [];
  return [finding(messages.CHAIN_BROKEN.emptyIssuer({ name: certName(m.leaf) }), 'error', file)];
}

/** The finding OpenSSL's verdict becomes; none when it accepts. */
export function verdictFindings(v: Verdict, m: Material, trust: Trust, file: string | undefined): Finding[] {
  const leaf = certName(m.leaf);
  const certs = [...trust.path, ...trust.anchors.filter((a) => !trust.path.includes(a))];
  if (v.handshake !== undefined) {
    // The client ends the handshake itself for a server key under its security level (a small RSA key).
    const cause = unnamedCause(certs);
    return [
      finding(
        messages[cause?.code ?? 'UNSUPPORTED_ALGORITHM'].handshake({
          leaf,
          error: v.handshake,
          why: cause?.why,
          fix: cause?.fix,
        }),
        'error',
        file,
      ),
    ];
  }
  if (v.code === undefined || TIME.has(v.code)) return curlRules(m, file);
  // A trust anchor that is not a root: OpenSSL looks on for its issuer unless told to accept partial chains.
  const anchorNotRoot = trust.anchors.find((a) => !isSelfSigned(a));
  if (v.code === 'UNABLE_TO_GET_ISSUER_CERT' && anchorNotRoot && !trust.partial) {
    return [
      finding(
        messages.CHAIN_BROKEN.anchorNotRoot({
          anchor: certName(anchorNotRoot),
          issuer: oneLine(issuerOf(anchorNotRoot)),
          leaf,
        }),
        'error',
        m.source.files.find((f) => f.endsWith('ca.crt')) ?? file,
      ),
    ];
  }
  const cause = v.code === 'INVALID_PURPOSE' ? purposeCause(trust.path) : (RESULTS[v.code] ?? unnamedCause(certs));
  return [
    finding(
      cause
        ? messages[cause.code].verifier({ leaf, text: cause.text, why: cause.why, fix: cause.fix })
        : messages.CHAIN_BROKEN.unexplained({ leaf, result: v.code }),
      'error',
      file,
    ),
  ];
}
