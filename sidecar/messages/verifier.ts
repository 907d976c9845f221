// The words every code that OpenSSL's verdict can be shares (validate/verdict.ts): its verifier refuses
// the chain, or no TLS handshake completes. Spread into those codes' entries (validate.ts, material.ts).

/** Who refuses with OpenSSL's verifier. */
export const CLIENTS = 'and with it curl, Python and Node';

/** OpenSSL's verifier refuses the chain: `text` is OpenSSL's own words for the result (validate/results.ts),
 *  `why` what in the chain made it, `fix` what to do. Every code that OpenSSL's verdict can be has it. */
export const VERIFIER = {
  verifier: (d: { leaf: string; text: string; why: string; fix: string }) => ({
    message: `OpenSSL's verifier refuses the chain of ${d.leaf} ("${d.text}": ${d.why}), ${CLIENTS}`,
    hint: d.fix,
  }),
  /** No handshake completes: `error` is the TLS error, `why` and `fix` the cause when the facts tell it. */
  handshake: (d: { leaf: string; error: string; why: string | undefined; fix: string | undefined }) => ({
    message:
      `OpenSSL cannot complete a TLS handshake with ${d.leaf} and its key (${d.error.replace(/\.$/, '')}` +
      `${d.why ? `: ${d.why}` : ''}), ${CLIENTS}`,
    hint: d.fix ?? 'issue the certificate with an RSA (2048 to 8192 bits) or ECDSA P-256, P-384 or P-521 key',
  }),
};
