// OpenSSL's verify results that Node names (authorizationError), each with the finding it becomes and
// what it means for the chain in OpenSSL's own words (X509_verify_cert_error_string, OpenSSL 3.0
// crypto/x509/x509_txt.c). Used by verdict.ts.
import type { VerifierCode } from '../messages/index.js';

export interface Cause {
  code: VerifierCode;
  /** OpenSSL's own words (X509_verify_cert_error_string, OpenSSL 3.0 crypto/x509/x509_txt.c). */
  text: string;
  why: string;
  fix: string;
}

const MISSING_ISSUER = 'mount every intermediate after the leaf, and the root that issued them as ca.crt';
export const RESULTS: Record<string, Cause> = {
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
    fix: 'mount the root the chain ends at as ca.crt',
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
    fix: 'issue the chain from CA certificates (basicConstraints critical CA:TRUE, keyUsage keyCertSign)',
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
    fix: 'mount the root the chain ends at as ca.crt',
  },
  CERT_REJECTED: {
    code: 'CHAIN_BROKEN',
    text: 'certificate rejected',
    why: 'the root of the chain is marked as rejected for TLS servers',
    fix: 'mount the root the chain ends at as ca.crt',
  },
};
