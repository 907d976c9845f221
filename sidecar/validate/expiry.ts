// Validity windows: ours, since OpenSSL's verifier only answers "expired now" and knows nothing of
// KCS_MIN_VALIDITY or the 30-day warning. Pure: `now` comes in.
import type { X509Certificate } from 'node:crypto';
import { finding, type Finding } from '../findings.js';
import { messages } from '../messages/index.js';
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
        messages.CERT_NOT_YET_VALID.notYet({
          what,
          from: cert.validFromDate.toISOString(),
          within: humanDuration(from - now),
        }),
        'error',
        file,
      ),
    ];
  }
  if (now >= to) {
    return [
      finding(
        messages.CERT_EXPIRED.expired({
          what,
          to: cert.validToDate.toISOString(),
          ago: humanDuration(now - to),
          isLeaf,
        }),
        'error',
        file,
      ),
    ];
  }
  if (isLeaf && to - now < opts.minValidityMs) {
    return [
      finding(
        messages.CERT_EXPIRES_SOON.belowMinimum({
          what,
          to: cert.validToDate.toISOString(),
          within: humanDuration(to - now),
          min: humanDuration(opts.minValidityMs),
        }),
        'error',
        file,
      ),
    ];
  }
  if (to - now < EXPIRY_WARNING_MS) {
    return [
      finding(
        messages.CERT_EXPIRES_SOON.within30Days({
          what,
          to: cert.validToDate.toISOString(),
          within: humanDuration(to - now),
        }),
        'warning',
        file,
      ),
    ];
  }
  return [];
}
