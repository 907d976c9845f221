// Which certificate is the one to publish: keys and certificates are paired by public key, and exactly
// one pair must exist. Two is SOURCE_AMBIGUOUS (never a guess), none is KEY_MISSING or KEY_MISMATCH.
import type crypto from 'node:crypto';
import path from 'node:path';
import { fail } from '../findings.js';
import { type Discovery, keyNamesBeside } from './discover.js';

export interface Located<T> {
  value: T;
  file: string;
  /** A keystore entry's alias (its friendlyName). */
  name?: string;
}
type Pair = { cert: Located<crypto.X509Certificate>; key: Located<crypto.KeyObject> };

/** The subject on one line; `(empty subject)` for certificates that name themselves only in a SAN
 *  (node:crypto gives `undefined`, not the empty string, for an empty name, whatever its type says). */
export const subjectOf = (c: crypto.X509Certificate) =>
  ((c.subject as string | undefined) ?? '').replace(/\n/g, ', ') || '(empty subject)';
export const cn = (c: crypto.X509Certificate) => /CN=([^\n]+)/.exec(c.subject ?? '')?.[1] ?? subjectOf(c);

/** `"server" (CN=api, sha256 AB:CD:...)`, as entries are listed in findings. */
const describeEntry = (c: Located<crypto.X509Certificate>) =>
  `${c.name !== undefined ? `"${c.name}" ` : ''}(${subjectOf(c.value)}, sha256 ${c.value.fingerprint256})`;
const thumb = (s: string) => s.replace(/[:\s]/g, '').toUpperCase();

/** Certificates without any key, or a key without any certificate. */
function refuseUnpaired(
  certs: Located<crypto.X509Certificate>[],
  keys: Located<crypto.KeyObject>[],
  where: string,
  d: Discovery,
) {
  if (keys.length === 0) {
    if (certs.length === 0)
      fail(
        'SOURCE_NOT_FOUND',
        `cannot find a certificate in ${where}`,
        'mount a PFX, or a certificate with its key',
        where,
      );
    const file = certs[0]!.file;
    const subject = subjectOf(certs[0]!.value);
    if (d.layout === 'single-file') {
      const names = keyNamesBeside(file);
      fail(
        'KEY_MISSING',
        `cannot find the private key of ${subject}: ${file} holds none, and there is no ${names.join(' or ')} ` +
          `beside it`,
        `put the key in ${path.join(path.dirname(file), names[0]!)}, or set KCS_KEY_FILE to it`,
        file,
      );
    }
    fail(
      'KEY_MISSING',
      `cannot find the private key of ${subject} in ${where}`,
      'mount the key beside the certificate (tls.key, privkey.pem or <name>.key), or set KCS_KEY_FILE to it',
      file,
    );
  }
  if (certs.length === 0)
    fail(
      'SOURCE_NOT_FOUND',
      `cannot find a certificate for the key in ${keys[0]!.file}`,
      'mount the certificate beside the key',
      keys[0]!.file,
    );
}

function chooseEntry(unique: Pair[], entry: string, where: string): Pair[] {
  const chosen = unique.filter(
    (p) => p.cert.name?.toLowerCase() === entry.toLowerCase() || thumb(p.cert.value.fingerprint256) === thumb(entry),
  );
  if (chosen.length === 0) {
    fail(
      'SOURCE_NOT_FOUND',
      `cannot find the entry KCS_CERT_ENTRY=${entry} in ${where}: the certificates with their key are ` +
        `${unique.map((p) => describeEntry(p.cert)).join(', ')}`,
      'set KCS_CERT_ENTRY to one of those names or SHA-256 thumbprints',
      where,
    );
  }
  return chosen;
}

function refuseSeveral(unique: Pair[], where: string) {
  if (unique.every((p) => p.cert.file === unique[0]!.cert.file && p.key.file === p.cert.file)) {
    // One keystore with several key entries. Seen with .NET 10 (the conformance matrix's keytool
    // keystores, in both orders): Kestrel loads the last entry of the file that has its key.
    const last = unique.at(-1)!.cert;
    fail(
      'SOURCE_AMBIGUOUS',
      `cannot choose a certificate in ${unique[0]!.cert.file}: it holds ${unique.length} entries with their key ` +
        `(${unique.map((p) => describeEntry(p.cert)).join(', ')}); Kestrel itself would load the last one, ` +
        `${describeEntry(last)}`,
      `set KCS_CERT_ENTRY to the entry to publish, by its name or SHA-256 thumbprint, for example ` +
        `KCS_CERT_ENTRY=${last.name ?? last.value.fingerprint256.replace(/:/g, '')}`,
      unique[0]!.cert.file,
    );
  }
  fail(
    'SOURCE_AMBIGUOUS',
    `cannot choose a certificate in ${where}: ${unique.length} certificates have their key ` +
      `(${unique.map((p) => `${cn(p.cert.value)} in ${path.basename(p.cert.file)}`).join(', ')})`,
    `set KCS_CERT_FILE and KCS_KEY_FILE to the pair to publish, for example ` +
      `KCS_CERT_FILE=${path.basename(unique[0]!.cert.file)}`,
    where,
  );
}

/** checkPrivateKey throws only for a key that is not private, which load never makes; should any key
 *  type ever throw, it does not belong, and the pairing reports KEY_MISMATCH instead of crashing. */
export function belongs(cert: crypto.X509Certificate, key: crypto.KeyObject): boolean {
  try {
    return cert.checkPrivateKey(key);
  } catch {
    return false;
  }
}

/** Pairs keys with certificates by public key. Exactly one pair must exist. */
export function pickLeaf(
  certs: Located<crypto.X509Certificate>[],
  keys: Located<crypto.KeyObject>[],
  where: string,
  d: Discovery,
  entry?: string,
): Pair {
  refuseUnpaired(certs, keys, where, d);
  const pairs: Pair[] = [];
  for (const key of keys) for (const cert of certs) if (belongs(cert.value, key.value)) pairs.push({ cert, key });
  let unique = [...new Map(pairs.map((p) => [p.cert.value.fingerprint256, p])).values()];
  if (entry !== undefined) unique = chooseEntry(unique, entry, where);
  if (unique.length > 1) refuseSeveral(unique, where);
  if (unique.length === 0) {
    fail(
      'KEY_MISMATCH',
      `the private key in ${keys[0]!.file} does not belong to ${cn(certs[0]!.value)} in ${certs[0]!.file}`,
      'mount the key that was issued with this certificate; a renewed certificate often comes with a new key',
      keys[0]!.file,
    );
  }
  return unique[0]!;
}
