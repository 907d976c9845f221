// No silent skips: every file of the source that looks like a certificate, key or bundle and is not
// read gets a finding that names it and says why. How loud depends on what leaving it out changes:
// - error: it holds an issuer of the chain that the files read do not (init would publish a chain that
//   stops short, which clients refuse);
// - warning: it holds a certificate or a private key (perhaps the one the user meant);
// - info: a file of a known layout that the layout does not read (a cert-manager keystore.p12 beside
//   tls.crt, the other apps' PFX files of a Visual Studio folder).
import crypto from 'node:crypto';
import path from 'node:path';
import { finding, type Finding } from '../findings.js';
import { messages } from '../messages/index.js';
import type { Discovery } from './discover.js';
import { readInput } from './files.js';
import { isPfxName } from './discover.js';
import { parsePemBlocks } from './pem.js';
import { subjectLine as nameOf } from './pick.js';
import { isPkcs7, pkcs7Certificates } from '../pkix/pkcs7.js';

export interface SkippedFile {
  file: string;
  why: string;
  /** True for a file whose name is no certificate name (notes.txt, chain), false for a layout's extra. */
  unnamed: boolean;
  certs: crypto.X509Certificate[];
  key: boolean;
}

/** Files without a certificate name are looked into only this far: a PEM file says so in its first line. */
const SNIFF_BYTES = 4096;
/** At most this many such files are looked into, so a source directory full of other files stays fast. */
const MAX_SNIFFED = 64;

// The labels the loader (pem.ts) reads certificates from: not OpenSSL's TRUSTED CERTIFICATE, whose DER carries
// trust settings after the certificate; such a block is passed over here too, as a request is.
const PEM_CERT_LABELS = new Set(['CERTIFICATE', 'PKCS7', 'PKCS #7 SIGNED DATA', 'CMS']);

/** What a skipped file holds. Anything it cannot read holds nothing; no skipped file fails a run. */
function contents(bytes: Buffer): { certs: crypto.X509Certificate[]; key: boolean } {
  const out = { certs: [] as crypto.X509Certificate[], key: false };
  const ders: Buffer[] = [];
  try {
    if (bytes.includes('-----BEGIN ')) {
      for (const b of parsePemBlocks(bytes.toString('utf8'))) {
        if (/PRIVATE KEY/.test(b.label)) out.key = true;
        else if (PEM_CERT_LABELS.has(b.label)) ders.push(...(b.label === 'CERTIFICATE' ? [b.der] : p7(b.der)));
      }
    } else if (isPkcs7(bytes)) ders.push(...p7(bytes));
    else ders.push(bytes);
  } catch {
    return out;
  }
  for (const der of ders) {
    try {
      out.certs.push(new crypto.X509Certificate(der));
    } catch {
      // not a certificate: nothing to say about it
    }
  }
  return out;
}
const p7 = (der: Buffer) => pkcs7Certificates(der).certs;

/** Looks into d.skipped (by name, read in full) and d.unnamed (only those that start like PEM). */
export function lookIntoSkipped(d: Discovery): SkippedFile[] {
  const out: SkippedFile[] = [];
  for (const { file, why } of d.skipped) {
    let bytes: Buffer | undefined;
    try {
      if (!isPfxName(file)) bytes = readInput(file, d.roots);
    } catch {
      bytes = undefined;
    }
    out.push({ file, why, unnamed: false, ...(bytes ? contents(bytes) : { certs: [], key: false }) });
  }
  for (const file of d.unnamed.slice(0, MAX_SNIFFED)) {
    let head: Buffer;
    try {
      head = readInput(file, d.roots, { maxBytes: SNIFF_BYTES });
      if (!head.includes('-----BEGIN ')) continue;
      const found = contents(readInput(file, d.roots));
      if (found.certs.length === 0 && !found.key) continue;
      const ext = path.extname(file);
      const why = ext
        ? `its name ends in ${ext}, which is not read as a certificate, key or bundle`
        : 'its name has no certificate extension';
      out.push({ file, why, unnamed: true, ...found });
    } catch {
      // unreadable, too large, not a file: not a candidate
    }
  }
  return out;
}

/** The certificate in `certs` that issued one of `chain` (name, key identifier and signature), if any. */
function issuerAmong(certs: crypto.X509Certificate[], chain: crypto.X509Certificate[]) {
  const have = new Set(chain.map((c) => c.fingerprint256));
  for (const issuer of certs) {
    if (have.has(issuer.fingerprint256) || issuer.checkIssued(issuer)) continue; // roots: clients hold their own
    for (const child of chain) {
      try {
        if (child.checkIssued(issuer) && child.verify(issuer.publicKey)) return { issuer, child };
      } catch {
        // a key type node:crypto cannot verify with: not a link it can prove
      }
    }
  }
  return undefined;
}

export function skippedFindings(skipped: SkippedFile[], chain: crypto.X509Certificate[]): Finding[] {
  return skipped.map((s) => {
    const { file, why, unnamed } = s;
    const base = path.basename(file, path.extname(file));
    const link = issuerAmong(s.certs, chain);
    if (link) {
      const [issuer, child] = [nameOf(link.issuer), nameOf(link.child)];
      return finding(messages.SOURCE_FILE_SKIPPED.issuer({ file, issuer, child, why, unnamed, base }), 'error', file);
    }
    if (s.certs.length > 0 || s.key) {
      const first = s.certs[0] && nameOf(s.certs[0]);
      const data = { file, key: s.key, certs: s.certs.length, first, why, unnamed, base };
      return finding(messages.SOURCE_FILE_SKIPPED.holds(data), 'warning', file);
    }
    return finding(messages.SOURCE_FILE_SKIPPED.notRead({ file, why }), 'info', file);
  });
}
