// The load stage: source directory or file -> Material. The only stage besides publish that reads files.
// discover.ts decides which files; pfx-source.ts and pem-source.ts read them; pick.ts chooses the leaf;
// kestrel-files.ts holds the key forms .NET cannot use as they are; skipped.ts reports what was not read.
import type crypto from 'node:crypto';
import { KcsError, raise, type Finding } from '../findings.js';
import { messages } from '../messages/index.js';
import type { Material, SourceKind } from '../material.js';
import { discover, type Discovery, type DiscoverOptions } from './discover.js';
import { leafNotFirstFinding, traditionalKeyFinding, withNamedCurve } from './kestrel-files.js';
import { readAnchors, readPemFiles } from './pem-source.js';
import { readPfx, type PfxContents } from './pfx-source.js';
import { belongs, pickLeaf, type Located } from './pick.js';
import { lookIntoSkipped, skippedFindings, type SkippedFile } from './skipped.js';

export interface LoadOptions extends DiscoverOptions {
  password?: string;
  /** KCS_CERT_ENTRY: the entry to publish when several certificates have their key. */
  certEntry?: string;
}

const KINDS: Partial<Record<Discovery['layout'], SourceKind>> = {
  'kubernetes-tls': 'kubernetes-tls',
  letsencrypt: 'letsencrypt',
};

/** KEY_MISSING while a skipped file holds a private key: the finding names that file. */
function withSkippedKey(err: unknown, skipped: SkippedFile[]): unknown {
  const holder = skipped.find((s) => s.key);
  if (!(err instanceof KcsError) || err.code !== 'KEY_MISSING' || !holder) return err;
  const { message, hint, file } = err.finding;
  return raise(messages.KEY_MISSING.skippedHolder({ message, hint, file: holder.file, why: holder.why }), file, err);
}

/** The certificates that came with the leaf, once each, in input order. */
function othersOf(
  leaf: crypto.X509Certificate,
  certs: Located<crypto.X509Certificate>[],
  keys: Located<crypto.KeyObject>[],
  certEntry: string | undefined,
): crypto.X509Certificate[] {
  const seen = new Set([leaf.fingerprint256]);
  const others: crypto.X509Certificate[] = [];
  for (const c of certs) {
    if (seen.has(c.value.fingerprint256)) continue;
    seen.add(c.value.fingerprint256);
    // Another entry of a keystore (one KCS_CERT_ENTRY did not choose) is not part of this chain.
    if (certEntry !== undefined && keys.some((k) => belongs(c.value, k.value))) continue;
    others.push(c.value);
  }
  return others;
}

export function loadSource(opts: LoadOptions): Material {
  const d = discover(opts);
  const pfx: PfxContents | undefined = d.pfx ? readPfx(d.pfx, d.roots, opts.password) : undefined;
  const pem = readPemFiles(d, opts.password);
  const anchors = readAnchors(d);
  const skipped = lookIntoSkipped(d);
  const certs = [...(pfx?.certs ?? []), ...pem.certs];
  const keys = [...(pfx?.keys ?? []), ...pem.keys];
  let pair: ReturnType<typeof pickLeaf>;
  try {
    pair = pickLeaf(certs, keys, d.root ?? opts.source, d, opts.certEntry);
  } catch (err) {
    throw withSkippedKey(err, skipped);
  }
  const { cert, key } = pair;
  const others = othersOf(cert.value, certs, keys, opts.certEntry);
  const named = withNamedCurve(key);
  const findings: Finding[] = [
    ...(pfx?.findings ?? []),
    ...pem.findings,
    ...named.findings,
    ...(pem.traditional.includes(key.file) ? [traditionalKeyFinding(key.file)] : []),
    ...leafNotFirstFinding(cert.value, cert.file, pem.byFile.get(cert.file)),
    ...skippedFindings(skipped, [cert.value, ...others]),
  ];
  const details: Material['source']['details'] = { layout: d.layout, ...(pfx?.details ?? {}) };
  if (pem.keyEncrypted) details.keyEncrypted = true;
  const files = [...(d.pfx ? [d.pfx] : []), ...pem.files, ...d.ca];
  const m: Material = {
    leaf: cert.value,
    key: named.key,
    others,
    anchors,
    source: { kind: pfx ? 'pfx' : (KINDS[d.layout] ?? 'pem'), files: [...new Set(files)], details },
    findings,
  };
  // Published as the output password only when it opened something: a PFX's MAC or encryption, or an encrypted key.
  if (opts.password !== undefined && (pfx?.passwordUsed || pem.keyEncrypted)) m.inputPassword = opts.password;
  // A source PFX is published as it is only when its key needed no rewriting.
  if (pfx?.modernPfx && named.key === key.value) m.modernPfx = pfx.modernPfx;
  return m;
}
