// The chain: what Kestrel sends, what clients trust, and OpenSSL's verdict on it (verifier.ts), told as
// findings that say what the strict clients do. Whether an issuer may issue (basicConstraints,
// pathLenConstraint, nameConstraints, purpose, key strength, signature algorithms, critical extensions)
// is not judged here: OpenSSL's verifier decides it.
import type { X509Certificate } from 'node:crypto';
import { finding, type Finding } from '../findings.js';
import { messages } from '../messages/index.js';
import type { Material } from '../material.js';
import { certName, isSelfSigned, issuerOf, oneLine } from '../pkix/x509info.js';
import { verdictFindings, type Trust } from './verdict.js';
import { opensslVerdict } from './verifier.js';

export interface Built {
  /** The leaf, then each issuer found, up to and including a self-signed root when one is found. */
  path: X509Certificate[];
  findings: Finding[];
}

/**
 * Builds the path from the leaf by issuer name and signature, never by input order, as .NET's chain
 * builder does for Kestrel (SslStreamCertificateContext.Create, dotnet/runtime
 * src/libraries/System.Net.Security/src/System/Net/Security/SslStreamCertificateContext.cs): Kestrel
 * sends the certificates of the path it builds, without a self-signed root, and nothing else.
 * A trusted certificate (ca.crt) is preferred as issuer, as OpenSSL's X509_V_FLAG_TRUSTED_FIRST does:
 * a cross-signed root beside its self-signed form (a root rollover) then ends at the root clients trust.
 */
export function buildPath(m: Material, file: string | undefined): Built {
  const pool = [...m.anchors, ...m.others];
  const path = [m.leaf];
  const findings: Finding[] = [];
  for (let cur = m.leaf; !isSelfSigned(cur); ) {
    const named = pool.filter((c) => c !== cur && cur.checkIssued(c));
    // A named issuer whose key does not verify the signature is still what a chain builder finds; the
    // verifier then refuses the signature (CERT_SIGNATURE_FAILURE).
    const issuer = named.find((c) => cur.verify(c.publicKey)) ?? named[0];
    if (!issuer) break;
    if (path.some((c) => c.fingerprint256 === issuer.fingerprint256)) {
      findings.push(finding(messages.CHAIN_BROKEN.loop({ at: certName(issuer) }), 'error', file));
      break;
    }
    path.push(issuer);
    if (!cur.verify(issuer.publicKey)) break;
    cur = issuer;
  }
  const inPath = new Set(path.map((c) => c.fingerprint256));
  const anchorPrints = new Set(m.anchors.map((c) => c.fingerprint256));
  for (const c of m.others.filter((x) => !inPath.has(x.fingerprint256) && !anchorPrints.has(x.fingerprint256))) {
    findings.push(finding(messages.CERT_DROPPED.dropped({ name: certName(c), leaf: certName(m.leaf) }), 'info', file));
  }
  const inputOrder = m.others.filter((c) => inPath.has(c.fingerprint256));
  if (inputOrder.some((c, i) => path[i + 1]?.fingerprint256 !== c.fingerprint256)) {
    findings.push(finding(messages.CHAIN_REORDERED.reordered(), 'info', file));
  }
  return { path, findings };
}

/** Which anchors clients trust: ca.crt when the source names one, else the root the path ends at, else
 *  a public root that issued its top, else the top itself (with a warning). */
export function chooseTrust(
  m: Material,
  path: X509Certificate[],
  publicRoots: ((subject: string) => X509Certificate[]) | undefined,
  file: string | undefined,
): Trust {
  const top = path[path.length - 1]!;
  const chain = path.length > 1 && isSelfSigned(top) ? path.slice(0, -1) : path;
  if (m.anchors.length > 0) return { path, chain, anchors: m.anchors, partial: false, findings: [] };
  if (isSelfSigned(top)) return { path, chain, anchors: [top], partial: false, findings: [] };
  const root = publicRoots?.(issuerOf(top)).find((r) => top.checkIssued(r) && top.verify(r.publicKey));
  if (root) return { path, chain, anchors: [root], partial: false, findings: [] };
  const issuer = oneLine(issuerOf(top));
  return {
    path,
    chain,
    anchors: [top],
    partial: true,
    findings: [finding(messages.CHAIN_BROKEN.stopsShort({ top: certName(top), issuer }), 'warning', file)],
  };
}

/** OpenSSL's verdict on what would be published, as findings. */
export async function verifyChain(m: Material, trust: Trust, file: string | undefined): Promise<Finding[]> {
  const v = await opensslVerdict({
    chain: trust.chain,
    key: m.key,
    anchors: trust.anchors,
    partialChain: trust.partial,
  });
  return verdictFindings(v, m, trust, file);
}
