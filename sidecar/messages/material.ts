// The words of the findings about the bytes of the source: whether they parse, open with the password,
// use algorithms that can be read, and hold a key that goes with the certificate. Part of the catalogue
// (messages/index.ts).
import {
  DOTNET_MAX_ITERATIONS_PER_KDF,
  DOTNET_MAX_ITERATIONS_TOTAL,
  MAX_ITERATIONS_PER_KDF,
  MAX_PFX_BAGS,
  MAX_RSA_BITS,
} from '../limits.js';
import { define } from './define.js';
import { VERIFIER } from './verifier.js';

const thousands = (n: number) => n.toLocaleString('en-US');
const kib = (n: number) => `${thousands(Math.ceil(n / 1024))} KiB`;
/** What Kestrel says when the key it is given is not that of the first certificate. */
const DOES_NOT_MATCH = 'The provided key does not match the public key for this certificate.';

export const FILE_TOO_LARGE = define('FILE_TOO_LARGE', 'a file over 1 MiB, or a PFX with more than 400 bags', {
  file: (d: { file: string; size: number; limit: number }) => ({
    message: `cannot read ${d.file}: it is ${kib(d.size)}, more than the ${kib(d.limit)} a certificate file can need`,
    hint: 'point KCS_SOURCE at the certificate and key only (a PFX or PEM pair is a few kilobytes)',
  }),
  bags: () => ({
    message: `the PFX holds more than ${MAX_PFX_BAGS} bags`,
    hint: 'export only the server certificate, its chain and its key (a real PFX holds a handful of bags)',
  }),
});

export const FILE_CORRUPT = define('FILE_CORRUPT', 'not valid DER/PEM/PKCS#12', {
  /** What a parser found wrong (`why`: which structure, and how); the loader adds the file in front. */
  parse: (d: { why: string }) => ({
    message: d.why,
    hint: 'export the file again from its source; it is damaged or not the format its name says',
  }),
  empty: (d: { file: string }) => ({
    message: `cannot read ${d.file}: the file is empty`,
    hint: 'the copy or export did not finish; write the file again',
  }),
  notX509: (d: { file: string }) => ({
    message: `cannot read ${d.file}: it holds a certificate that is not valid X.509`,
    hint: 'export the file again from its source',
  }),
  /** `holds`: what the file holds instead of a certificate or key. */
  noCertificate: (d: { file: string; holds: string }) => ({
    message: `cannot read ${d.file}: it holds ${d.holds}`,
    hint: 'mount the certificate (BEGIN CERTIFICATE) and its key (BEGIN PRIVATE KEY)',
  }),
  manifest: (d: { file: string }) => ({
    message: `cannot read ${d.file}: it is not valid JSON`,
    hint: 'run init again to republish',
  }),
  trustCa: (d: { file: string }) => ({
    message: `${d.file} holds no certificate (PEM or DER)`,
    hint: 'pass the CA certificate with --ca FILE: the ca/ca.crt of KCS_STATE, or what `trust --print` writes',
  }),
});

export const PASSWORD_REQUIRED = define('PASSWORD_REQUIRED', 'the file needs a password and none was given', {
  pfx: () => ({
    message: 'the file is protected by a password and none was given',
    hint:
      'set KCS_PASSWORD_FILE to a file holding the password (or KCS_PASSWORD, or KCS_USER_SECRETS for a ' +
      'secrets.json)',
  }),
  key: () => ({
    message: 'the private key is encrypted and no password was given',
    hint: 'set KCS_PASSWORD_FILE to a file holding the key password (or KCS_PASSWORD), or export the key unencrypted',
  }),
});

export const PASSWORD_WRONG = define('PASSWORD_WRONG', 'the password does not match', {
  /** `detail`: which check failed (the integrity check, a bag's decryption). */
  pfx: (d: { detail: string }) => ({
    message: `the password does not match (${d.detail})`,
    hint: 'set KCS_PASSWORD_FILE to the file holding the password this PFX was exported with',
  }),
  key: () => ({
    message: 'the password does not decrypt the private key',
    hint: 'set KCS_PASSWORD_FILE to the file holding the password the key was encrypted with',
  }),
});

const KEY_TYPES_HINT = 'issue the certificate with an RSA or ECDSA (P-256, P-384 or P-521) key';
const unknownAlgorithm = (oid: string) => `"Unknown algorithm for certificate with public key type '${oid}'"`;

export const UNSUPPORTED_ALGORITHM = define('UNSUPPORTED_ALGORITHM', 'unknown ciphers, RSA-PSS keys', {
  /** No TLS handshake completes with the key (validate/verdict.ts). */
  handshake: VERIFIER.handshake,
  /** A PKCS#12 or PKCS#8 encryption the sidecar does not read (`what`: which, where). */
  encryption: (d: { what: string }) => ({
    message: d.what,
    hint:
      'export the file again with AES-256 ' +
      '(OpenSSL 3: `openssl pkcs12 -export` with its defaults; Windows: choose AES256-SHA256)',
  }),
  explicitCurve: (d: { keyFile: string }) => ({
    message:
      `the key in ${d.keyFile} gives its elliptic curve by explicit parameters ` +
      'that are not those of any named curve',
    hint:
      'issue the certificate with a key on a named curve: openssl genpkey -algorithm EC -pkeyopt ' +
      'ec_paramgen_curve:P-256',
  }),
  pfxKeyType: (d: { file: string }) => ({
    message: `cannot open ${d.file}: its private key is of a type node:crypto cannot read`,
    hint: 'export the PFX with an RSA or ECDSA (P-256, P-384 or P-521) key',
  }),
  /** `name`: the certificate's name. */
  rsaPss: (d: { name: string }) => ({
    message:
      `the key of ${d.name} is an RSA-PSS key (OID 1.2.840.113549.1.1.10), which Kestrel cannot load: it stops at ` +
      `start with ${unknownAlgorithm('1.2.840.113549.1.1.10')}`,
    hint:
      'issue the certificate with a plain RSA key (openssl: -newkey rsa:2048, not rsa-pss; it can still sign with ' +
      'PSS) or an ECDSA key',
  }),
  rsaTooLarge: (d: { name: string; bits: number }) => ({
    message: `the key of ${d.name} is RSA ${d.bits}, larger than ${MAX_RSA_BITS} bits`,
    hint: 'issue the certificate with an RSA key of 2048 to 8192 bits',
  }),
  /** `type`: node:crypto's name of the key type; `oid`: its OID, when Kestrel's words for it are known. */
  keyType: (d: { name: string; type: string; oid: string | undefined }) => ({
    message:
      `the key of ${d.name} is ${d.type.toUpperCase()}, which Kestrel cannot load` +
      (d.oid ? `: it stops at start with ${unknownAlgorithm(d.oid)}` : ''),
    hint: KEY_TYPES_HINT,
  }),
});

export const ITERATIONS_TOO_HIGH = define(
  'ITERATIONS_TOO_HIGH',
  'a MAC or KDF asks for more than 2,000,000 iterations',
  {
    /** `what`: which MAC or KDF asks for how many. */
    exceeded: (d: { what: string }) => ({
      message: d.what,
      hint:
        `export the file again with at most ${thousands(MAX_ITERATIONS_PER_KDF)} iterations ` +
        '(OpenSSL: `-iter 2048 -maciter`); .NET itself refuses more than 300,000',
    }),
  },
);

export const PFX_REENCODED = define(
  'PFX_REENCODED',
  "the input asks for more iterations than .NET's `Pkcs12LoaderLimits` allow",
  {
    iterations: (d: { file: string; iterations: number }) => ({
      message:
        `${d.file} asks for ${thousands(d.iterations)} iterations, more than .NET's ` +
        `Pkcs12LoaderLimits allow (${thousands(DOTNET_MAX_ITERATIONS_PER_KDF)}), so Kestrel would refuse it`,
      hint:
        'nothing: the published cert.pfx is re-encoded with 2,048 iterations; export with fewer iterations to ' +
        'silence this',
    }),
    /** Each key derivation is within .NET's per-KDF limit, but the sum of those that decrypt (not the MAC) is not. */
    total: (d: { file: string; total: number }) => ({
      message:
        `${d.file} asks for ${thousands(d.total)} iterations over the key derivations that decrypt it, more than ` +
        `.NET's Pkcs12LoaderLimits allow in one file (${thousands(DOTNET_MAX_ITERATIONS_TOTAL)}), so Kestrel would ` +
        'refuse it',
      hint:
        'nothing: the published cert.pfx is re-encoded with 2,048 iterations; export with fewer iterations to ' +
        'silence this',
    }),
  },
);

export const LEGACY_ENCRYPTION = define(
  'LEGACY_ENCRYPTION',
  'the input uses RC2, which OpenSSL 3 (and .NET on Linux) refuses without its legacy provider',
  {
    /** `ciphers`: the legacy ones among those the file uses. */
    legacy: (d: { file: string; ciphers: readonly string[] }) => ({
      message:
        `${d.file} uses ${d.ciphers.join(' and ')}, which OpenSSL 3 refuses without its ` +
        'legacy provider (so does .NET on Linux without it)',
      hint:
        'nothing: the published cert.pfx uses the modern profile (PBES2, AES-256-CBC), ' +
        'which OpenSSL 3 reads as it is',
    }),
  },
);

export const KEY_REENCODED = define('KEY_REENCODED', 'the source key is in a form .NET does not use as it is', {
  /** `curve`: the curve's name (P-256). */
  explicitCurve: (d: { file: string; curve: string; base: string }) => ({
    message:
      `the key in ${d.file} gives its curve (${d.curve}) by explicit parameters, which .NET does ` +
      `not pair with the certificate: Kestrel pointed at this file would stop with "${DOES_NOT_MATCH}"`,
    hint:
      'nothing: the published tls.key and cert.pfx name the curve, and Kestrel reads them; to use the file ' +
      `itself, rewrite it with openssl ec -in ${d.base} -param_enc named_curve`,
  }),
  traditional: (d: { file: string; base: string }) => ({
    message:
      `the key in ${d.file} uses OpenSSL's traditional encryption (Proc-Type: 4,ENCRYPTED), which .NET cannot ` +
      'read: Kestrel pointed at this file would stop with "No supported key formats were found"',
    hint:
      'nothing: the published tls.key is unencrypted PKCS#8, which Kestrel reads; to use the file itself, ' +
      `convert it with openssl pkcs8 -topk8 -v2 aes-256-cbc -in ${d.base}`,
  }),
});

export const LEAF_NOT_FIRST = define(
  'LEAF_NOT_FIRST',
  "the certificate file starts with an issuer, not with the key's certificate",
  {
    /** `first`: the name of the certificate the file starts with. */
    issuerFirst: (d: { file: string; first: string }) => ({
      message:
        `${d.file} starts with ${d.first}, not with the certificate of the key: Kestrel pointed at this file would ` +
        `pair the key with that first certificate and stop with "${DOES_NOT_MATCH}"`,
      hint:
        'nothing: the published tls.crt starts with the leaf, then its issuers; to use the file itself, put the ' +
        'leaf first',
    }),
  },
);

export const KEY_MISSING = define('KEY_MISSING', 'a certificate without its private key', {
  /** A single file: `names` are the key files looked for beside it, `keyPath` the first one's path. */
  besideFile: (d: { subject: string; file: string; names: readonly string[]; keyPath: string }) => ({
    message:
      `cannot find the private key of ${d.subject}: ${d.file} holds none, ` +
      `and there is no ${d.names.join(' or ')} beside it`,
    hint: `put the key in ${d.keyPath}, or set KCS_KEY_FILE to it`,
  }),
  inSource: (d: { subject: string; where: string }) => ({
    message: `cannot find the private key of ${d.subject} in ${d.where}`,
    hint: 'mount the key beside the certificate (tls.key, privkey.pem or <name>.key), or set KCS_KEY_FILE to it',
  }),
  /** Said after a KEY_MISSING message, when a skipped file holds a key (`why` it is skipped). */
  skippedHolder: (d: { message: string; hint: string; file: string; why: string }) => ({
    message: `${d.message}; ${d.file} holds a private key but is not read (${d.why})`,
    hint: d.hint,
  }),
});

export const KEY_MISMATCH = define('KEY_MISMATCH', 'the private key belongs to another certificate', {
  files: (d: { keyFile: string; name: string; certFile: string }) => ({
    message: `the private key in ${d.keyFile} does not belong to ${d.name} in ${d.certFile}`,
    hint: 'mount the key that was issued with this certificate; a renewed certificate often comes with a new key',
  }),
  certificate: (d: { name: string }) => ({
    message: `the private key does not belong to the certificate ${d.name}`,
    hint: 'mount the key that was issued with this certificate',
  }),
});
