// Validity windows: ours, since OpenSSL's verifier only answers "expired now" and knows nothing of
// KCS_MIN_VALIDITY or the 30-day warning. Pure: `now` comes in.
import type { X509Certificate } from 'node:crypto';
import { finding, type Finding } from '../findings.js';
import { EXPIRY_WARNING_MS } from '../limits.js';
import { certName, humanDuration } from '../pkix/x509info.js';

export interface ExpiryOptions {
  now: Date;
  /** Fail when the leaf expires sooner than this (KCS_MIN_VALIDITY). */
  minValidityMs: number;
}

/** The findings about one certificate's validity window; the leaf is held to KCS_MIN_VALIDITY. */
export function checkValidity(
  cert: X509Certificate,
  isLeaf: boolean,
  opts: ExpiryOptions,
  file: string | undefined,
): Finding[] {
  const now = opts.now.getTime();
  const from = cert.validFromDate.getTime();
  const to = cert.validToDate.getTime();
  const what = isLeaf ? `the certificate ${certName(cert)}` : `the chain certificate ${certName(cert)}`;
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
          ? 'renew the certificate (dotnet dev-certs https --clean, then export again), or unset KCS_SOURCE to ' +
              'generate one'
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
        `${what} expires on ${cert.validToDate.toISOString()}, in ${humanDuration(to - now)}: ` +
          `less than KCS_MIN_VALIDITY (${humanDuration(opts.minValidityMs)})`,
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
