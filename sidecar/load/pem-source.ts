// The PEM and DER files of a source (certificates, keys, CA bundles, PKCS#7 bundles) and its trust
// anchors. The codecs are pem.ts and pkix/pkcs7.ts; this file decides what each file contributes.
import crypto from 'node:crypto';
import path from 'node:path';
import { fail, finding, type Finding } from '../findings.js';
import { messages } from '../messages/index.js';
import type { Discovery } from './discover.js';
import { inFile, readInput } from './files.js';
import { refuseKeystore } from './keystore.js';
import { looksLikePem, parsePemBlocks, parsePemOrDer } from './pem.js';
import type { Located } from './pick.js';

export interface PemFiles {
  certs: Located<crypto.X509Certificate>[];
  keys: Located<crypto.KeyObject>[];
  /** The files that contributed a certificate or key. */
  files: string[];
  findings: Finding[];
  keyEncrypted: boolean;
  /** Files whose key used OpenSSL's traditional encryption (Proc-Type: 4,ENCRYPTED). */
  traditional: string[];
  /** Every certificate of each file, in file order (Kestrel pairs the key with a file's first). */
  byFile: Map<string, crypto.X509Certificate[]>;
}

const KEY_LABELS = /PRIVATE KEY/;

export function parseCert(der: Buffer, file: string): crypto.X509Certificate {
  try {
    return new crypto.X509Certificate(der);
  } catch (err) {
    fail(messages.FILE_CORRUPT.notX509({ file }), file, err);
  }
}

/**
 * Beside a PFX, PEM files may only add certificates: a second key makes the choice ambiguous, and a
 * file that does not parse is left out with a warning (the PFX is the source). Returns false to skip.
 */
function besidePfx(bytes: Buffer, file: string, pfx: string, out: PemFiles): boolean {
  if (!looksLikePem(bytes)) return true;
  let labels: string[];
  try {
    labels = parsePemBlocks(bytes.toString('utf8')).map((b) => b.label);
  } catch (err) {
    const why = (err as { finding?: Finding }).finding?.message ?? 'it is not valid PEM';
    out.findings.push(
      finding(messages.SOURCE_FILE_SKIPPED.besidePfx({ file, pfx: path.basename(pfx), why }), 'warning', file),
    );
    return false;
  }
  if (labels.some((l) => KEY_LABELS.test(l))) {
    fail(
      messages.SOURCE_AMBIGUOUS.pfxBesideKey({
        dir: path.dirname(pfx),
        pfx: path.basename(pfx),
        keyFile: path.basename(file),
      }),
      file,
    );
  }
  return true;
}

/** Reads d.pem in order. In a directory matched by content, a file with no certificate or key (a
 *  certificate request, DH parameters) is reported and left out; in a named layout it is an error. */
export function readPemFiles(d: Discovery, password: string | undefined): PemFiles {
  const out: PemFiles = {
    certs: [],
    keys: [],
    files: [],
    findings: [],
    keyEncrypted: false,
    traditional: [],
    byFile: new Map(),
  };
  for (const file of d.pem) {
    const bytes = readInput(file, d.roots);
    refuseKeystore(bytes, file);
    if (d.pfx && !besidePfx(bytes, file, d.pfx, out)) continue;
    let parsed: ReturnType<typeof parsePemOrDer>;
    try {
      parsed = parsePemOrDer(bytes, password);
    } catch (err) {
      throw inFile(err, file, 'cannot read');
    }
    if (parsed.certs.length === 0 && parsed.keys.length === 0) {
      const none = looksLikePem(bytes) ? 'no PEM block' : 'no certificate';
      const holds = parsed.other.length ? `${parsed.other.join(', ')}, not a certificate, key or bundle` : none;
      if (d.layout === 'pem' || d.layout === 'pfx') {
        out.findings.push(finding(messages.SOURCE_FILE_SKIPPED.unused({ file, holds }), 'info', file));
        continue;
      }
      fail(messages.FILE_CORRUPT.noCertificate({ file, holds }), file);
    }
    out.keyEncrypted ||= parsed.encryptedKey;
    if (parsed.traditionalEncryption) out.traditional.push(file);
    out.files.push(file);
    const certs = parsed.certs.map((der) => parseCert(der, file));
    out.byFile.set(file, certs);
    for (const value of certs) out.certs.push({ value, file });
    for (const value of parsed.keys) out.keys.push({ value, file });
  }
  return out;
}

/** The certificates of d.ca (a Kubernetes secret's ca.crt): trust anchors. */
export function readAnchors(d: Discovery): crypto.X509Certificate[] {
  const anchors: crypto.X509Certificate[] = [];
  for (const file of d.ca) {
    let parsed: ReturnType<typeof parsePemOrDer>;
    try {
      parsed = parsePemOrDer(readInput(file, d.roots), undefined);
    } catch (err) {
      throw inFile(err, file, 'cannot read');
    }
    anchors.push(...parsed.certs.map((der) => parseCert(der, file)));
  }
  return anchors;
}
