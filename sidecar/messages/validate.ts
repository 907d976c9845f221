// The words of the findings about the certificate and its chain: validity, names, usage, the chain
// OpenSSL builds, and what Kestrel takes. Part of the catalogue (messages/index.ts).
import { define } from './define.js';
import { CLIENTS, VERIFIER } from './verifier.js';

/** `what`: `the certificate <name>` or `the chain certificate <name>`; dates in ISO form, spans in words. */
export const CERT_NOT_YET_VALID = define('CERT_NOT_YET_VALID', 'notBefore is in the future', {
  notYet: (d: { what: string; from: string; within: string }) => ({
    message: `${d.what} is not valid until ${d.from} (in ${d.within})`,
    hint: "check the clock of this machine, or wait: the certificate's notBefore is in the future",
  }),
});

export const CERT_EXPIRED = define('CERT_EXPIRED', 'the leaf or a chain certificate has expired', {
  expired: (d: { what: string; to: string; ago: string; isLeaf: boolean }) => ({
    message: `${d.what} expired on ${d.to} (${d.ago} ago)`,
    hint: d.isLeaf
      ? 'renew the certificate (dotnet dev-certs https --clean, then export again), or unset KCS_SOURCE to ' +
        'generate one'
      : 'get the current chain from the issuer',
  }),
});

export const CERT_EXPIRES_SOON = define('CERT_EXPIRES_SOON', 'expires within 30 days (warning)', {
  /** Sooner than KCS_MIN_VALIDITY (`min`): an error. */
  belowMinimum: (d: { what: string; to: string; within: string; min: string }) => ({
    message: `${d.what} expires on ${d.to}, in ${d.within}: less than KCS_MIN_VALIDITY (${d.min})`,
    hint: 'renew the certificate now, or lower KCS_MIN_VALIDITY',
  }),
  within30Days: (d: { what: string; to: string; within: string }) => ({
    message: `${d.what} expires on ${d.to}, in ${d.within}`,
    hint: 'renew it before then',
  }),
});

export const HOSTNAME_NOT_COVERED = define(
  'HOSTNAME_NOT_COVERED',
  'a name or IP of `KCS_HOSTNAMES` is not in the subjectAltName',
  {
    /** `names`: those of KCS_HOSTNAMES the certificate names only in its CN. */
    cnOnly: (d: { name: string; names: readonly string[] }) => ({
      message:
        `the certificate ${d.name} names ${d.names.join(', ')} only in its subject CN and has no ` +
        'subjectAltName: OpenSSL, curl, Node, Python and .NET accept that, falling back to the CN; clients that ' +
        'require subjectAltName (RFC 6125) refuse it',
      hint: `issue it with subjectAltName entries for ${d.names.join(', ')}`,
    }),
    /** `sans`: the certificate's subjectAltName as node:crypto writes it, if any. */
    missing: (d: { name: string; names: readonly string[]; sans: string | undefined }) => ({
      message: `the certificate ${d.name} does not cover ${d.names.join(', ')} (its names: ${d.sans ?? 'none'})`,
      hint: `issue it with subjectAltName entries for ${d.names.join(', ')}, or remove them from KCS_HOSTNAMES`,
    }),
  },
);

export const NOT_SERVER_AUTH = define('NOT_SERVER_AUTH', "the leaf's extended key usage lacks serverAuth", {
  ...VERIFIER,
  /** `usages`: the leaf's extended key usage OIDs; `serverAuth`: the OID it lacks. */
  kestrel: (d: { name: string; usages: readonly string[]; serverAuth: string }) => ({
    message:
      `the certificate ${d.name} may not be used by a server: its extended key usage is ` +
      `${d.usages.join(', ')} and lacks serverAuth (${d.serverAuth}), so Kestrel stops at start ("Certificate ... ` +
      'cannot be used as an SSL server certificate. It has an Extended Key Usage extension but the usages do ' +
      'not include Server Authentication")',
    hint: 'issue a server certificate (extendedKeyUsage serverAuth) for the names it serves',
  }),
});

export const KEY_TOO_WEAK = define('KEY_TOO_WEAK', 'an RSA key under 2048 bits in the chain', VERIFIER);
export const WEAK_SIGNATURE = define('WEAK_SIGNATURE', 'is signed with SHA-1 or MD5', VERIFIER);
export const UNSUPPORTED_EXTENSION = define(
  'UNSUPPORTED_EXTENSION',
  "a critical extension that OpenSSL's verifier does not handle",
  VERIFIER,
);
export const ISSUER_NOT_ALLOWED = define('ISSUER_NOT_ALLOWED', 'an issuer may not issue', VERIFIER);

export const CHAIN_BROKEN = define('CHAIN_BROKEN', 'OpenSSL cannot build a chain to `ca.crt`', {
  ...VERIFIER,
  /** A result of OpenSSL's that no cause explains: `result` is its name. */
  unexplained: (d: { leaf: string; result: string }) => ({
    message: `OpenSSL's verifier refuses the chain of ${d.leaf} (${d.result}), ${CLIENTS}`,
    hint: 'get a chain that `openssl verify -CAfile ca.crt -untrusted tls.crt tls.crt` accepts, and see its error',
  }),
  loop: (d: { at: string }) => ({
    message: `the certificate chain loops at ${d.at}`,
    hint: 'remove the cross-signed certificates that issue each other and keep one path to a root',
  }),
  /** The source lacks the issuer (`issuer`) of its top certificate (`top`): a warning. */
  stopsShort: (d: { top: string; issuer: string }) => ({
    message:
      `the chain ends at ${d.top}, whose issuer ${d.issuer} is not in the source, so ca.crt holds ` +
      `${d.top} itself, which OpenSSL clients accept only with partial-chain trust; clients that trust ` +
      `${d.issuer} as a root accept the server, but if it is an intermediate, no client can build the chain ` +
      'without it',
    hint:
      'mount the missing intermediates after the leaf, and the root CA (as ca.crt beside tls.crt, or at the end ' +
      'of the chain file)',
  }),
  emptyIssuer: (d: { name: string }) => ({
    message:
      `the issuer name of ${d.name} is empty: OpenSSL, Python, Node and .NET accept the chain, but curl ` +
      'refuses it ("SSL: couldn\'t get X509-issuer name")',
    hint: 'issue the chain from a CA whose subject is not empty',
  }),
  /** ca.crt holds `anchor`, whose issuer `issuer` clients still look for. */
  anchorNotRoot: (d: { anchor: string; issuer: string; leaf: string }) => ({
    message:
      `ca.crt holds ${d.anchor}, which is not a root (not self-signed): clients that trust it ` +
      `still look for its issuer ${d.issuer}, so OpenSSL refuses the chain of ${d.leaf} ` +
      '("unable to get issuer certificate"), and so do Python, Node and .NET; curl accepts it (Debian builds it ' +
      'with partial-chain trust)',
    hint: `put the root CA that issued ${d.anchor} in ca.crt`,
  }),
});

export const CHAIN_REORDERED = define('CHAIN_REORDERED', 'the chain was out of order', {
  reordered: () => ({
    message: 'the chain was not in order; it is published leaf first, then each issuer',
    hint: 'nothing: this is informational',
  }),
});

export const CERT_DROPPED = define(
  'CERT_DROPPED',
  'a certificate that came with the leaf is not on its path to a trusted root',
  {
    dropped: (d: { name: string; leaf: string }) => ({
      message:
        `the certificate ${d.name} came with ${d.leaf} but is not on its path to a trusted root, so it is not ` +
        'published',
      hint: 'nothing; remove it from the bundle to silence this',
    }),
  },
);

export const KESTREL_PFX_CHAIN = define('KESTREL_PFX_CHAIN', '`KCS_KESTREL_FORMAT=pfx` with intermediates', {
  /** `intermediate`: the subject of the first intermediate, on one line. */
  leafOnly: (d: { intermediate: string }) => ({
    message:
      'Kestrel sends only the leaf of cert.pfx, so clients that do not already hold the intermediate ' +
      `${d.intermediate} will reject the server`,
    hint: 'use KCS_KESTREL_FORMAT=pem (the default): Kestrel sends the whole chain of tls.crt',
  }),
});

export const NOT_DEV_CERT = define(
  'NOT_DEV_CERT',
  '`KCS_APP_NAME` asks for the Development layout, but the source certificate is not one',
  {
    /** `source`: the source file, if any; `missing`: what the certificate lacks, each in words. */
    notDev: (d: { source: string | undefined; missing: readonly string[] }) => ({
      message:
        `Kestrel would not take ${d.source ?? 'the source'} as its development certificate (KCS_APP_NAME): ` +
        `${d.missing.join(', and ')}; Kestrel would stop at start with "Unable to configure HTTPS endpoint. ` +
        'No server certificate was specified, and the default developer certificate could not be found or is ' +
        'out of date."',
      hint:
        'export the development certificate with `dotnet dev-certs https -ep <file>.pfx -p <password>`, or unset ' +
        'KCS_SOURCE to generate one; or unset KCS_APP_NAME and KCS_USER_SECRETS_ID and point Kestrel at tls.crt ' +
        'and tls.key (kestrel.env)',
    }),
  },
);

export const CA_EPHEMERAL = define('CA_EPHEMERAL', 'no `KCS_STATE`: the development CA lives for this run only', {
  thisRunOnly: () => ({
    message:
      'the development CA lives for this run only (KCS_STATE is unset), ' +
      'so every run issues certificates under a new CA that clients must trust again',
    hint:
      'set KCS_STATE to a private directory to keep one CA across runs ' +
      '(in the image: mount a named volume at /state that only the sidecar mounts)',
  }),
});

export const CA_KEY_IN_SOURCE = define('CA_KEY_IN_SOURCE', "the source's key is the development CA's own key", {
  /** `dir`: where the CA is kept; `sha256`: its fingerprint. */
  caKey: (d: { source: string | undefined; dir: string; sha256: string }) => ({
    message:
      `${d.source ?? 'the source'} holds the private key of the development CA in ${d.dir} ` +
      `(sha256 ${d.sha256}): published as tls.key, it would let every reader of the volume issue ` +
      'certificates that the machines trusting this CA accept',
    hint:
      'point KCS_SOURCE at a certificate and key of their own (never at KCS_STATE or a copy of it), or unset it ' +
      'to have a leaf issued by the CA',
  }),
});
