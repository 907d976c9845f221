// Coverage of every name in KCS_HOSTNAMES: ours, since a TLS client checks only the one name it dials.
// Each name is matched by OpenSSL's own X509_check_host / X509_check_ip (X509Certificate.checkHost and
// checkIP). Pure.
import type { X509Certificate } from 'node:crypto';
import { finding, type Finding } from '../findings.js';
import { messages } from '../messages/index.js';
import { isIP } from '../pkix/ip.js';
import { certName } from '../pkix/x509info.js';

export function checkHostnames(leaf: X509Certificate, hostnames: string[], file: string | undefined): Finding[] {
  const covers = (h: string, subject: 'never' | 'default') =>
    isIP(h.replace(/^\[|\]$/g, ''))
      ? leaf.checkIP(h.replace(/^\[|\]$/g, '')) !== undefined
      : leaf.checkHost(h, { subject }) !== undefined;
  const missing = hostnames.filter((h) => !covers(h, 'never'));
  if (missing.length === 0) return [];
  // Seen in the conformance matrix: without any subjectAltName, OpenSSL (and curl, Python), Node and
  // .NET match a host name against the subject CN. With one that holds only IP addresses, OpenSSL,
  // Node, Python and .NET still do, but curl does not (seen by the conformance generator, seed 109):
  // then the name is not covered.
  if (!leaf.subjectAltName && missing.every((h) => covers(h, 'default'))) {
    return [finding(messages.HOSTNAME_NOT_COVERED.cnOnly({ name: certName(leaf), names: missing }), 'warning', file)];
  }
  return [
    finding(
      messages.HOSTNAME_NOT_COVERED.missing({ name: certName(leaf), names: missing, sans: leaf.subjectAltName }),
      'error',
      file,
    ),
  ];
}
