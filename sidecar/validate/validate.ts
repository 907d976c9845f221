// The validate stage: material + hostnames + now -> findings and the ordered chain. Pure: no files,
// no environment, no clock of its own.
import { isIP } from '../pkix/ip.js';
import type { X509Certificate } from 'node:crypto';
import { finding, type Finding } from '../findings.js';
import { EXPIRY_WARNING_MS, MAX_RSA_BITS, MIN_RSA_BITS } from '../limits.js';
import type { Material } from '../material.js';
import { certName, curveName, humanDuration, isSelfSigned, issuerOf, oneLine } from '../pkix/x509info.js';
import { certFacts, keyUsage } from '../pkix/x509-ext.js';

export interface ValidateOptions {
  /** Names and IPs the certificate must cover (KCS_HOSTNAMES); empty checks nothing. */
  hostnames: string[];
  now: Date;
  /** Fail when the leaf expires sooner than this (KCS_MIN_VALIDITY). */
  minValidityMs: number;
  /** The public roots (tls.rootCertificates) with this subject, to complete a chain that stops
   *  below its root, as a Let's Encrypt fullchain.pem does. Asked only when needed. */
  publicRoots?: (subject: string) => X509Certificate[];
}

export interface Validated {
  findings: Finding[];
  /** What the server sends: the leaf, then each issuer up to (not including) a self-signed root. */
  chain: X509Certificate[];
  /** What clients should trust: ca.crt. */
  anchors: X509Certificate[];
  ok: boolean;
}

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const ANY_EKU = '2.5.29.37.0';
const KEY_OIDS: Record<string, string> = { ed25519: '1.3.101.112', ed448: '1.3.101.113', dsa: '1.2.840.10040.4.1' };
const SUPPORTED_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);
const name = certName;
const SERVER_FIX = 'issue a server certificate (extendedKeyUsage serverAuth) for the names it serves';

function checkKey(m: Material, file: string | undefined): Finding[] {
  const pub = m.leaf.publicKey;
  const details = pub.asymmetricKeyDetails ?? {};
  const type = pub.asymmetricKeyType;
  if (type === 'rsa-pss') {
    // Seen with .NET 10: a certificate whose key is RSASSA-PSS (id-RSASSA-PSS, not rsaEncryption)
    // stops Kestrel at start: PEM "Unknown algorithm for certificate with public key type
    // '1.2.840.113549.1.1.10'", PFX "Key is not a valid public or private key".
    return [
      finding(
        'UNSUPPORTED_ALGORITHM',
        'error',
        `the key of ${name(m.leaf)} is an RSA-PSS key (OID 1.2.840.113549.1.1.10), which Kestrel cannot load: it stops at start with "Unknown algorithm for certificate with public key type '1.2.840.113549.1.1.10'"`,
        'issue the certificate with a plain RSA key (openssl: -newkey rsa:2048, not rsa-pss; it can still sign with PSS) or an ECDSA key',
        file,
      ),
    ];
  }
  if (type === 'rsa') {
    const bits = details.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS)
      return [
        finding(
          'KEY_TOO_WEAK',
          'error',
          `the key of ${name(m.leaf)} is RSA ${bits}: OpenSSL 3 and .NET refuse RSA keys under ${MIN_RSA_BITS} bits`,
          'issue a new certificate with an RSA 2048 (or larger) or ECDSA P-256 key',
          file,
        ),
      ];
    if (bits > MAX_RSA_BITS)
      return [
        finding(
          'UNSUPPORTED_ALGORITHM',
          'error',
          `the key of ${name(m.leaf)} is RSA ${bits}, larger than ${MAX_RSA_BITS} bits`,
          'issue the certificate with an RSA key of 2048 to 8192 bits',
          file,
        ),
      ];
    return [];
  }
  if (type === 'ec') {
    if (!SUPPORTED_CURVES.has(details.namedCurve ?? ''))
      return [
        finding(
          'UNSUPPORTED_ALGORITHM',
          'error',
          `the key of ${name(m.leaf)} uses the curve ${curveName(details.namedCurve)}, which TLS clients do not accept`,
          'issue the certificate with an ECDSA P-256, P-384 or P-521 key',
          file,
        ),
      ];
    return [];
  }
  // Seen with .NET 10: Kestrel stops at start with "Unknown algorithm for certificate with public key
  // type '<OID>'" for every key type but RSA and ECDSA (Ed25519: 1.3.101.112).
  const oid = KEY_OIDS[String(type)];
  return [
    finding(
      'UNSUPPORTED_ALGORITHM',
      'error',
      `the key of ${name(m.leaf)} is ${String(type).toUpperCase()}, which Kestrel cannot load${oid ? `: it stops at start with "Unknown algorithm for certificate with public key type '${oid}'"` : ''}`,
      'issue the certificate with an RSA or ECDSA (P-256, P-384 or P-521) key',
      file,
    ),
  ];
}

function checkValidity(
  cert: X509Certificate,
  isLeaf: boolean,
  opts: ValidateOptions,
  file: string | undefined,
): Finding[] {
  const now = opts.now.getTime();
  const from = cert.validFromDate.getTime();
  const to = cert.validToDate.getTime();
  const what = isLeaf ? `the certificate ${name(cert)}` : `the chain certificate ${name(cert)}`;
  if (now < from) {
    return [
      finding(
        'CERT_NOT_YET_VALID',
        'error',
        `${what} is not valid until ${cert.validFromDate.toISOString()} (in ${humanDuration(from - now)})`,
        "check the clock of this machine, or wait: the certificate's notBefore is in the future",
        file,
      ),
    ];
  }
  if (now >= to) {
    return [
      finding(
        'CERT_EXPIRED',
        'error',
        `${what} expired on ${cert.validToDate.toISOString()} (${humanDuration(now - to)} ago)`,
        isLeaf
          ? 'renew the certificate (dotnet dev-certs https --clean, then export again), or unset KCS_SOURCE to generate one'
          : 'get the current chain from the issuer',
        file,
      ),
    ];
  }
  if (isLeaf && to - now < opts.minValidityMs) {
    return [
      finding(
        'CERT_EXPIRES_SOON',
        'error',
        `${what} expires on ${cert.validToDate.toISOString()}, in ${humanDuration(to - now)}: less than KCS_MIN_VALIDITY (${humanDuration(opts.minValidityMs)})`,
        'renew the certificate now, or lower KCS_MIN_VALIDITY',
        file,
      ),
    ];
  }
  if (to - now < EXPIRY_WARNING_MS) {
    return [
      finding(
        'CERT_EXPIRES_SOON',
        'warning',
        `${what} expires on ${cert.validToDate.toISOString()}, in ${humanDuration(to - now)}`,
        'renew it before then',
        file,
      ),
    ];
  }
  return [];
}

function checkHostnames(leaf: X509Certificate, hostnames: string[], file: string | undefined): Finding[] {
  const covers = (h: string, subject: 'never' | 'default') =>
    isIP(h.replace(/^\[|\]$/g, ''))
      ? leaf.checkIP(h.replace(/^\[|\]$/g, '')) !== undefined
      : leaf.checkHost(h, { subject }) !== undefined;
  const missing = hostnames.filter((h) => !covers(h, 'never'));
  if (missing.length === 0) return [];
  // Seen in the conformance matrix: without any subjectAltName, OpenSSL (and curl, Python), Node and
  // .NET match the name against the subject CN.
  if (!leaf.subjectAltName && missing.every((h) => covers(h, 'default'))) {
    return [
      finding(
        'HOSTNAME_NOT_COVERED',
        'warning',
        `the certificate ${name(leaf)} names ${missing.join(', ')} only in its subject CN and has no subjectAltName: OpenSSL, curl, Node, Python and .NET accept that, falling back to the CN; clients that require subjectAltName (RFC 6125) refuse it`,
        `issue it with subjectAltName entries for ${missing.join(', ')}`,
        file,
      ),
    ];
  }
  return [
    finding(
      'HOSTNAME_NOT_COVERED',
      'error',
      `the certificate ${name(leaf)} does not cover ${missing.join(', ')} (its names: ${leaf.subjectAltName ?? 'none'})`,
      `issue it with subjectAltName entries for ${missing.join(', ')}, or remove them from KCS_HOSTNAMES`,
      file,
    ),
  ];
}

/** Builds the chain from the leaf by issuer and signature, never by input order. */
function buildChain(m: Material, file: string | undefined): { chain: X509Certificate[]; findings: Finding[] } {
  const pool = [...m.others, ...m.anchors];
  const chain = [m.leaf];
  const findings: Finding[] = [];
  for (let cur = m.leaf; !isSelfSigned(cur); ) {
    const named = pool.filter((c) => c !== cur && cur.checkIssued(c));
    const issuer = named.find((c) => cur.verify(c.publicKey));
    if (!issuer) {
      if (named.length > 0)
        findings.push(
          finding(
            'CHAIN_BROKEN',
            'error',
            `the signature of ${name(cur)} does not verify with the key of its named issuer ${name(named[0]!)}`,
            'get the chain from the same issuance as the certificate; one of them was replaced',
            file,
          ),
        );
      break;
    }
    if (chain.includes(issuer)) {
      findings.push(
        finding(
          'CHAIN_BROKEN',
          'error',
          `the certificate chain loops at ${name(issuer)}`,
          'remove the cross-signed certificates that issue each other and keep one path to a root',
          file,
        ),
      );
      break;
    }
    chain.push(issuer);
    cur = issuer;
  }
  const unused = m.others.filter(
    (c) => !chain.includes(c) && !m.anchors.some((a) => a.fingerprint256 === c.fingerprint256),
  );
  for (const c of unused) {
    findings.push(
      finding(
        'CHAIN_BROKEN',
        'error',
        `the certificate ${name(c)} came with ${name(m.leaf)} but is not in its chain`,
        'remove it from the bundle, or include the certificates that link it (the chain must lead from the leaf to its issuers)',
        file,
      ),
    );
  }
  const inputOrder = m.others.filter((c) => chain.includes(c));
  if (inputOrder.some((c, i) => chain[i + 1] !== c)) {
    findings.push(
      finding(
        'CHAIN_REORDERED',
        'info',
        'the chain was not in order; it is published leaf first, then each issuer',
        'nothing: this is informational',
        file,
      ),
    );
  }
  return { chain, findings };
}

/** Signature algorithms OpenSSL 3 refuses at its default security level (and with it curl, Node,
 *  Python and .NET on Linux): seen in the conformance matrix for SHA-1. */
const WEAK_SIGNATURES: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'SHA-1 with RSA',
  '1.2.840.10045.4.1': 'ECDSA with SHA-1',
  '1.2.840.10040.4.3': 'DSA with SHA-1',
  '1.2.840.113549.1.1.4': 'MD5 with RSA',
  '1.2.840.113549.1.1.2': 'MD2 with RSA',
};

/** The extensions OpenSSL's verifier handles (X509_supported_extension, OpenSSL 3.0): a critical
 *  extension outside this list makes it, and every client built on it, refuse the certificate. */
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

/** What clients check in each certificate they verify: the signature algorithm, critical extensions,
 *  and for the leaf, a key usage that allows signing the handshake. */
function checkFacts(chain: X509Certificate[], file: string | undefined): Finding[] {
  const out: Finding[] = [];
  chain.forEach((cert, i) => {
    const f = certFacts(cert);
    // A self-signed root's own signature is not checked by clients: they trust its key.
    const weak = WEAK_SIGNATURES[f.signature];
    if (weak && !isSelfSigned(cert)) {
      out.push(
        finding(
          'WEAK_SIGNATURE',
          'error',
          `the certificate ${name(cert)} is signed with ${weak}, which OpenSSL 3 refuses at its default security level, and with it curl, Node, Python and .NET`,
          i === 0
            ? 'issue the certificate again with a SHA-256 signature'
            : 'get a chain whose certificates are signed with SHA-256 or better',
          file,
        ),
      );
    }
    for (const ext of f.extensions) {
      if (ext.critical && !HANDLED_EXTENSIONS.has(ext.oid)) {
        out.push(
          finding(
            'UNSUPPORTED_EXTENSION',
            'error',
            `the certificate ${name(cert)} has a critical extension ${ext.oid} that OpenSSL does not handle, so it refuses the certificate ("unhandled critical extension"), and with it curl, Node, Python and .NET`,
            'issue the certificate without that extension, or with it marked non-critical',
            file,
          ),
        );
      }
    }
  });
  const usage = keyUsage(chain[0]!);
  if (usage && !usage.includes('digitalSignature')) {
    out.push(
      finding(
        'NOT_SERVER_AUTH',
        'error',
        `the key usage of ${name(chain[0]!)} (${usage.join(', ') || 'none'}) lacks digitalSignature, which a TLS server signs its handshake with: OpenSSL refuses it ("unsuitable certificate purpose"), and with it curl, Node and Python`,
        `${SERVER_FIX}, with key usage digitalSignature (and keyEncipherment for RSA)`,
        file,
      ),
    );
  }
  return out;
}

export function validate(m: Material, opts: ValidateOptions): Validated {
  const file = m.source.files[0];
  const findings: Finding[] = [...m.findings];
  if (!m.leaf.checkPrivateKey(m.key)) {
    findings.push(
      finding(
        'KEY_MISMATCH',
        'error',
        `the private key does not belong to the certificate ${name(m.leaf)}`,
        'mount the key that was issued with this certificate',
        file,
      ),
    );
  }
  findings.push(...checkKey(m, file));
  const built = buildChain(m, file);
  findings.push(...built.findings);
  for (const [i, c] of built.chain.entries()) findings.push(...checkValidity(c, i === 0, opts, file));
  findings.push(...checkFacts(built.chain, file));
  findings.push(...checkHostnames(m.leaf, opts.hostnames, file));
  const eku = m.leaf.keyUsage;
  if (eku && !eku.includes(SERVER_AUTH) && !eku.includes(ANY_EKU)) {
    findings.push(
      finding(
        'NOT_SERVER_AUTH',
        'error',
        `the certificate ${name(m.leaf)} may not be used by a server: its extended key usage is ${eku.join(', ')} and lacks serverAuth (${SERVER_AUTH})`,
        SERVER_FIX,
        file,
      ),
    );
  }

  // What the server sends stops below a self-signed root; clients hold the root themselves.
  const top = built.chain[built.chain.length - 1]!;
  const chain = built.chain.length > 1 && isSelfSigned(top) ? built.chain.slice(0, -1) : built.chain;
  let anchors = m.anchors;
  if (anchors.length === 0 && !isSelfSigned(top)) {
    const root = opts.publicRoots?.(issuerOf(top)).find((r) => top.checkIssued(r) && top.verify(r.publicKey));
    anchors = [root ?? top];
    if (!root) {
      findings.push(
        finding(
          'CHAIN_BROKEN',
          'warning',
          `the chain ends at ${name(top)}, whose issuer ${oneLine(issuerOf(top))} is not in the source, so ca.crt holds ${name(top)} itself, which OpenSSL clients accept only with partial-chain trust; clients that trust ${oneLine(issuerOf(top))} as a root accept the server, but if it is an intermediate, no client can build the chain without it`,
          'mount the missing intermediates after the leaf, and the root CA (as ca.crt beside tls.crt, or at the end of the chain file)',
          file,
        ),
      );
    }
  } else if (anchors.length === 0) anchors = [top];
  else if (
    !anchors.some((a) => a.fingerprint256 === top.fingerprint256 || (top.checkIssued(a) && top.verify(a.publicKey)))
  ) {
    findings.push(
      finding(
        'CHAIN_BROKEN',
        'warning',
        `the CA certificate ${name(anchors[0]!)} did not issue ${name(top)}, so clients that trust only ca.crt will reject the server`,
        'mount the ca.crt of the issuer that signed this certificate',
        m.source.files.find((f) => f.endsWith('ca.crt')) ?? file,
      ),
    );
  }
  return { findings, chain, anchors, ok: !findings.some((f) => f.severity === 'error') };
}
