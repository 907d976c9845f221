// The words every code that OpenSSL's verdict can be shares (validate/verdict.ts): its verifier refuses
// the chain, or no TLS handshake completes; and the causes that say why, each in OpenSSL's own words
// (X509_verify_cert_error_string, OpenSSL 3.0 crypto/x509/x509_txt.c) with what in the chain made it.
// Spread into those codes' entries (validate.ts, material.ts).

/** The codes OpenSSL's verdict can be: each has the `verifier` and `handshake` variants. */
export type VerifierCode =
  | 'CHAIN_BROKEN'
  | 'ISSUER_NOT_ALLOWED'
  | 'NOT_SERVER_AUTH'
  | 'KEY_TOO_WEAK'
  | 'WEAK_SIGNATURE'
  | 'UNSUPPORTED_EXTENSION';

/** Why OpenSSL refused: the finding it becomes, OpenSSL's words for it, what made it, and the fix. */
export interface Cause {
  code: VerifierCode;
  /** OpenSSL's own words (X509_verify_cert_error_string, OpenSSL 3.0 crypto/x509/x509_txt.c). */
  text: string;
  why: string;
  fix: string;
}

/** Who refuses with OpenSSL's verifier. */
export const CLIENTS = 'and with it curl, Python and Node';

/** OpenSSL's verifier refuses the chain: `text`, `why` and `fix` are its cause's. */
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

const MISSING_ISSUER = 'mount every intermediate after the leaf, and the root that issued them as ca.crt';
const ROOT_AS_CA = 'mount the root the chain ends at as ca.crt';
const NOT_CA_FIX = 'issue the chain from CA certificates (basicConstraints critical CA:TRUE, keyUsage keyCertSign)';

/** OpenSSL's verify results that Node names (authorizationError), each with the finding it becomes. */
export const RESULTS: Readonly<Record<string, Cause>> = {
  UNABLE_TO_GET_ISSUER_CERT: {
    code: 'CHAIN_BROKEN',
    text: 'unable to get issuer certificate',
    why: 'the chain reaches a trusted certificate that is not a root, and clients look further for its issuer',
    fix: 'put the root CA (the self-signed certificate at the top of the chain) in ca.crt',
  },
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: {
    code: 'CHAIN_BROKEN',
    text: 'unable to get local issuer certificate',
    why: 'no certificate of the chain is issued by one in ca.crt: an intermediate is missing, or ca.crt is another CA',
    fix: MISSING_ISSUER,
  },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: {
    code: 'CHAIN_BROKEN',
    text: 'unable to verify the first certificate',
    why: 'the issuer of the certificate is neither sent nor trusted',
    fix: MISSING_ISSUER,
  },
  DEPTH_ZERO_SELF_SIGNED_CERT: {
    code: 'CHAIN_BROKEN',
    text: 'self-signed certificate',
    why: 'the certificate names itself as its issuer (its subject and issuer are the same) and is not trusted itself',
    fix: 'issue the certificate from a CA whose name differs from the certificate subject, and mount that CA as ca.crt',
  },
  SELF_SIGNED_CERT_IN_CHAIN: {
    code: 'CHAIN_BROKEN',
    text: 'self-signed certificate in certificate chain',
    why: 'the chain ends at a root that ca.crt does not hold',
    fix: ROOT_AS_CA,
  },
  CERT_SIGNATURE_FAILURE: {
    code: 'CHAIN_BROKEN',
    text: 'certificate signature failure',
    why: 'a signature does not verify with the key of the certificate named as its issuer',
    fix: 'get the chain from the same issuance as the certificate; one of them was replaced',
  },
  INVALID_CA: {
    code: 'ISSUER_NOT_ALLOWED',
    text: 'invalid CA certificate',
    why: 'a certificate that issues another is not a CA',
    fix: NOT_CA_FIX,
  },
  PATH_LENGTH_EXCEEDED: {
    code: 'ISSUER_NOT_ALLOWED',
    text: 'path length constraint exceeded',
    why: 'a CA has more CAs below it than its pathLenConstraint allows',
    fix: 'issue the intermediates from a CA whose pathLenConstraint allows them',
  },
  CERT_UNTRUSTED: {
    code: 'CHAIN_BROKEN',
    text: 'certificate not trusted',
    why: 'the root of the chain may not be trusted for TLS servers',
    fix: ROOT_AS_CA,
  },
  CERT_REJECTED: {
    code: 'CHAIN_BROKEN',
    text: 'certificate rejected',
    why: 'the root of the chain is marked as rejected for TLS servers',
    fix: ROOT_AS_CA,
  },
};

const PURPOSE = 'unsuitable certificate purpose';
const PURPOSE_FIX =
  'issue the chain with serverAuth in every extendedKeyUsage it has (or none), and without a Netscape cert type';
/** `issuer`: the name of the issuer it is about, or none for the certificate itself. */
const whose = (issuer: string | undefined) => (issuer === undefined ? 'the certificate' : `its issuer ${issuer}`);

/** The causes the certificate facts tell, for a result Node reports as UNSPECIFIED or INVALID_PURPOSE
 *  (validate/verdict.ts decides which applies). `name`: the certificate's name. */
export const CAUSES = {
  notCa: (d: { name: string }): Cause => ({
    code: 'ISSUER_NOT_ALLOWED',
    text: PURPOSE,
    why:
      `${d.name} issues a certificate but is not a CA (basicConstraints CA:FALSE or absent, or a key ` +
      'usage without keyCertSign)',
    fix: NOT_CA_FIX,
  }),
  ekuWithoutServerAuth: (d: { issuer: string | undefined; usages: readonly string[] }): Cause => ({
    code: 'NOT_SERVER_AUTH',
    text: PURPOSE,
    why: `the extended key usage of ${whose(d.issuer)} (${d.usages.join(', ')}) lacks serverAuth`,
    fix: PURPOSE_FIX,
  }),
  /** `usage`: the leaf's key usage; `tls`: the bits TLS needs one of. */
  keyUsage: (d: { usage: readonly string[]; tls: readonly string[] }): Cause => ({
    code: 'NOT_SERVER_AUTH',
    text: PURPOSE,
    why: `the key usage of the certificate (${d.usage.join(', ') || 'none'}) has none of ${d.tls.join(', ')}`,
    fix: 'issue the certificate with key usage digitalSignature (and keyEncipherment for RSA)',
  }),
  netscapeNotServer: (d: { issuer: string | undefined }): Cause => ({
    code: 'NOT_SERVER_AUTH',
    text: PURPOSE,
    why: `${whose(d.issuer)} has a Netscape cert type without the SSL server bit`,
    fix: PURPOSE_FIX,
  }),
  purpose: (): Cause => ({
    code: 'NOT_SERVER_AUTH',
    text: PURPOSE,
    why: 'a certificate may not be used by a TLS server',
    fix: PURPOSE_FIX,
  }),
  unhandledExtension: (d: { name: string; oid: string }): Cause => ({
    code: 'UNSUPPORTED_EXTENSION',
    text: 'unhandled critical extension',
    why: `${d.name} has a critical extension ${d.oid} that OpenSSL does not handle`,
    fix: 'issue the certificate without that extension, or with it marked non-critical',
  }),
  /** `digest`: the signature algorithm in words (SHA-1 with RSA). */
  weakSignature: (d: { name: string; digest: string }): Cause => ({
    code: 'WEAK_SIGNATURE',
    text: 'CA signature digest algorithm too weak',
    why: `${d.name} is signed with ${d.digest}, refused at the default security level`,
    fix: 'get a chain whose certificates are signed with SHA-256 or better',
  }),
  /** `key`: the key in words (RSA 1024); `leaf`: it is the leaf's key, not a CA's. */
  weakKey: (d: { name: string; key: string; leaf: boolean }): Cause => ({
    code: 'KEY_TOO_WEAK',
    text: d.leaf ? 'EE certificate key too weak' : 'CA certificate key too weak',
    why: `the key of ${d.name} is ${d.key}, weaker than the 112 bits of security level 2`,
    fix: 'issue the chain with RSA 2048 (or larger) or ECDSA P-256 (or larger) keys',
  }),
  /** `constrained`: the name of the CA whose nameConstraints the certificate's names break. */
  nameConstraints: (d: { constrained: string }): Cause => ({
    code: 'ISSUER_NOT_ALLOWED',
    text: 'permitted subtree violation',
    why: `a name of the certificate is outside what the nameConstraints of ${d.constrained} allow`,
    fix: 'issue the certificate for names the CA may issue for, or from a CA without those constraints',
  }),
};
