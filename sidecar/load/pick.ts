// Which certificate is the one to publish: keys and certificates are paired by public key, and exactly
// one pair must exist. Two is SOURCE_AMBIGUOUS (never a guess), none is KEY_MISSING or KEY_MISMATCH.
import type crypto from 'node:crypto';
import path from 'node:path';
import { fail } from '../findings.js';
import { messages } from '../messages/index.js';
import { type Discovery, keyNamesBeside } from './discover.js';
import { cnOf, oneLine, subjectOf } from '../pkix/x509info.js';

export interface Located<T> {
  value: T;
  file: string;
  /** A keystore entry's alias (its friendlyName). */
  name?: string;
}
type Pair = { cert: Located<crypto.X509Certificate>; key: Located<crypto.KeyObject> };

/** The subject on one line; `(empty subject)` for certificates that name themselves only in a SAN
 *  (node:crypto gives `undefined`, not the empty string, for an empty name, whatever its type says). */
export const subjectLine = (c: crypto.X509Certificate) => oneLine(subjectOf(c)) || '(empty subject)';
/** The subject's CN, else the subject on one line. */
export const cn = (c: crypto.X509Certificate) => cnOf(c) ?? subjectLine(c);

/** `"server" (CN=api, sha256 AB:CD:...)`, as entries are listed in findings. */
const describeEntry = (c: Located<crypto.X509Certificate>) =>
  `${c.name !== undefined ? `"${c.name}" ` : ''}(${subjectLine(c.value)}, sha256 ${c.value.fingerprint256})`;
const thumb = (s: string) => s.replace(/[:\s]/g, '').toUpperCase();

/** Certificates without any key, or a key without any certificate. */
function refuseUnpaired(
  certs: Located<crypto.X509Certificate>[],
  keys: Located<crypto.KeyObject>[],
  where: string,
  d: Discovery,
) {
  if (keys.length === 0) {
    if (certs.length === 0) fail(messages.SOURCE_NOT_FOUND.noCertificate({ where }), where);
    const file = certs[0]!.file;
    const subject = subjectLine(certs[0]!.value);
    if (d.layout === 'single-file') {
      const names = keyNamesBeside(file);
      const keyPath = path.join(path.dirname(file), names[0]!);
      fail(messages.KEY_MISSING.besideFile({ subject, file, names, keyPath }), file);
    }
    fail(messages.KEY_MISSING.inSource({ subject, where }), file);
  }
  if (certs.length === 0)
    fail(messages.SOURCE_NOT_FOUND.noCertificateForKey({ keyFile: keys[0]!.file }), keys[0]!.file);
}

function chooseEntry(unique: Pair[], entry: string, where: string): Pair[] {
  const chosen = unique.filter(
    (p) => p.cert.name?.toLowerCase() === entry.toLowerCase() || thumb(p.cert.value.fingerprint256) === thumb(entry),
  );
  if (chosen.length === 0) {
    fail(messages.SOURCE_NOT_FOUND.noEntry({ entry, where, entries: unique.map((p) => describeEntry(p.cert)) }), where);
  }
  return chosen;
}

function refuseSeveral(unique: Pair[], where: string) {
  if (unique.every((p) => p.cert.file === unique[0]!.cert.file && p.key.file === p.cert.file)) {
    // One keystore with several key entries. Seen with .NET 10 (the conformance matrix's keytool
    // keystores, in both orders): Kestrel loads the last entry of the file that has its key.
    const last = unique.at(-1)!.cert;
    fail(
      messages.SOURCE_AMBIGUOUS.keystoreEntries({
        file: unique[0]!.cert.file,
        entries: unique.map((p) => describeEntry(p.cert)),
        last: describeEntry(last),
        example: last.name ?? last.value.fingerprint256.replace(/:/g, ''),
      }),
      unique[0]!.cert.file,
    );
  }
  fail(
    messages.SOURCE_AMBIGUOUS.severalPairs({
      where,
      pairs: unique.map((p) => `${cn(p.cert.value)} in ${path.basename(p.cert.file)}`),
      example: path.basename(unique[0]!.cert.file),
    }),
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
      messages.KEY_MISMATCH.files({ keyFile: keys[0]!.file, name: cn(certs[0]!.value), certFile: certs[0]!.file }),
      keys[0]!.file,
    );
  }
  return unique[0]!;
}
