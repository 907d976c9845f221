// The validate stage: material + hostnames + now -> findings and the ordered chain. Pure but for one
// in-memory TLS handshake (verifier.ts): no files, no environment, no clock of its own.
//   chain.ts    what Kestrel sends, what clients trust, and OpenSSL's own verdict on it
//   kestrel.ts  what stops Kestrel although OpenSSL accepts
//   expiry.ts   validity windows (KCS_MIN_VALIDITY); names.ts  every KCS_HOSTNAMES name
import type { X509Certificate } from 'node:crypto';
import { finding, type Finding } from '../findings.js';
import { messages } from '../messages/index.js';
import type { Material } from '../material.js';
import { certName } from '../pkix/x509info.js';
import { buildPath, chooseTrust, verifyChain } from './chain.js';
import { checkValidity } from './expiry.js';
import { kestrelRules, type KestrelOptions } from './kestrel.js';
import { checkHostnames } from './names.js';

export interface ValidateOptions extends KestrelOptions {
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

export async function validate(m: Material, opts: ValidateOptions): Promise<Validated> {
  const file = m.source.files[0];
  const findings: Finding[] = [...m.findings];
  const keyMatches = m.leaf.checkPrivateKey(m.key);
  if (!keyMatches) {
    findings.push(finding(messages.KEY_MISMATCH.certificate({ name: certName(m.leaf) }), 'error', file));
  }
  const built = buildPath(m, file);
  const trust = chooseTrust(m, built.path, opts.publicRoots, file);
  const kestrel = kestrelRules(m, trust.chain, opts, file);
  findings.push(...kestrel, ...built.findings);
  for (const [i, c] of built.path.entries()) findings.push(...checkValidity(c, i === 0, opts, file));
  findings.push(...checkHostnames(m.leaf, opts.hostnames, file));
  // The handshake needs a key that belongs to the leaf and that Kestrel can serve with. A generated
  // certificate is skipped: generate/ makes one shape of chain, which the integration tests serve to
  // every strict client, and the dev path is the one that starts most often.
  if (keyMatches && m.source.kind !== 'generated' && !kestrel.some((f) => f.code === 'UNSUPPORTED_ALGORITHM')) {
    findings.push(...(await verifyChain(m, trust, file)));
  }
  findings.push(...trust.findings);
  return {
    findings,
    chain: trust.chain,
    anchors: trust.anchors,
    ok: !findings.some((f) => f.severity === 'error'),
  };
}
