// The load stage: source directory or file -> Material. The only stage besides publish that reads files.
import crypto from 'node:crypto';
import path from 'node:path';
import { fail, finding, type Finding } from '../findings.js';
import { DOTNET_MAX_ITERATIONS_PER_KDF, DOTNET_MAX_ITERATIONS_TOTAL, PFX_ITERATIONS } from '../limits.js';
import type { Material, SourceKind } from '../material.js';
import { discover, keyNamesBeside, type Discovery, type DiscoverOptions } from './discover.js';
import { inFile, readInput } from './files.js';
import { looksLikePem, parsePemBlocks, parsePemOrDer } from './pem.js';
import { refuseKeystore } from './keystore.js';
import { parsePkcs12 } from './pkcs12.js';
import { certName, oneLine, subjectOf } from '../pkix/x509info.js';

export interface LoadOptions extends DiscoverOptions {
  password?: string;
  /** KCS_CERT_ENTRY: the entry to publish when several certificates have their key. */
  certEntry?: string;
}

interface Located<T> {
  value: T;
  file: string;
  /** A keystore entry's alias (its friendlyName). */
  name?: string;
}

/** `"server" (CN=api, sha256 AB:CD:...)`, as entries are listed in findings. */
const describeEntry = (c: Located<crypto.X509Certificate>) =>
  `${c.name !== undefined ? `"${c.name}" ` : ''}(${oneLine(subjectOf(c.value))}, sha256 ${c.value.fingerprint256})`;
const thumb = (s: string) => s.replace(/[:\s]/g, '').toUpperCase();

const KEY_LABELS = /PRIVATE KEY/;

/** Pairs keys with certificates by public key. Exactly one pair must exist. */
function pickLeaf(
  certs: Located<crypto.X509Certificate>[],
  keys: Located<crypto.KeyObject>[],
  where: string,
  d: Discovery,
  entry?: string,
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
    const subject = oneLine(subjectOf(certs[0]!.value));
    if (d.layout === 'single-file') {
      const names = keyNamesBeside(file);
      fail(
        'KEY_MISSING',
        `cannot find the private key of ${subject}: ${file} holds none, and there is no ${names.join(' or ')} beside it`,
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
  const pairs: { cert: Located<crypto.X509Certificate>; key: Located<crypto.KeyObject> }[] = [];
  for (const key of keys)
    for (const cert of certs) if (cert.value.checkPrivateKey(key.value)) pairs.push({ cert, key });
  let unique = [...new Map(pairs.map((p) => [p.cert.value.fingerprint256, p])).values()];
  if (entry !== undefined) {
    const chosen = unique.filter(
      (p) => p.cert.name?.toLowerCase() === entry.toLowerCase() || thumb(p.cert.value.fingerprint256) === thumb(entry),
    );
    if (chosen.length === 0) {
      fail(
        'SOURCE_NOT_FOUND',
        `cannot find the entry KCS_CERT_ENTRY=${entry} in ${where}: the certificates with their key are ${unique.map((p) => describeEntry(p.cert)).join(', ')}`,
        'set KCS_CERT_ENTRY to one of those names or SHA-256 thumbprints',
        where,
      );
    }
    unique = chosen;
  }
  if (unique.length > 1 && unique.every((p) => p.cert.file === unique[0]!.cert.file && p.key.file === p.cert.file)) {
    // One keystore with several key entries. Seen with .NET 10 (the conformance matrix's keytool
    // keystores, in both orders): Kestrel loads the last entry of the file that has its key.
    const last = unique.at(-1)!.cert;
    fail(
      'SOURCE_AMBIGUOUS',
      `cannot choose a certificate in ${unique[0]!.cert.file}: it holds ${unique.length} entries with their key (${unique.map((p) => describeEntry(p.cert)).join(', ')}); Kestrel itself would load the last one, ${describeEntry(last)}`,
      `set KCS_CERT_ENTRY to the entry to publish, by its name or SHA-256 thumbprint, for example KCS_CERT_ENTRY=${last.name ?? last.value.fingerprint256.replace(/:/g, '')}`,
      unique[0]!.cert.file,
    );
  }
  if (unique.length > 1) {
    fail(
      'SOURCE_AMBIGUOUS',
      `cannot choose a certificate in ${where}: ${unique.length} certificates have their key (${unique.map((p) => `${cn(p.cert.value)} in ${path.basename(p.cert.file)}`).join(', ')})`,
      `set KCS_CERT_FILE and KCS_KEY_FILE to the pair to publish, for example KCS_CERT_FILE=${path.basename(unique[0]!.cert.file)}`,
      where,
    );
  }
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

const cn = certName;

function parseCert(der: Buffer, file: string): crypto.X509Certificate {
  try {
    return new crypto.X509Certificate(der);
  } catch (err) {
    fail(
      'FILE_CORRUPT',
      `cannot read ${file}: it holds a certificate that is not valid X.509`,
      'export the file again from its source',
      file,
      err,
    );
  }
}

/** .NET 9+ loads it: no KDF over its per-KDF limit, and not over its total. */
const withinDotnetLimits = (info: ReturnType<typeof parsePkcs12>['info']) =>
  info.maxIterations <= DOTNET_MAX_ITERATIONS_PER_KDF && info.totalIterations <= DOTNET_MAX_ITERATIONS_TOTAL;

function pfxFindings(info: ReturnType<typeof parsePkcs12>['info'], file: string): Finding[] {
  const out: Finding[] = [];
  if (info.legacy) {
    const legacy = info.encryption.filter((e) => /RC2|RC4|DES-CBC$/.test(e));
    out.push(
      finding(
        'LEGACY_ENCRYPTION',
        'info',
        `${file} uses ${legacy.join(' and ') || info.encryption.join(' and ')}, which OpenSSL 3 refuses without its legacy provider (so does .NET on Linux without it)`,
        'nothing: the published cert.pfx uses the modern profile (PBES2, AES-256-CBC), which OpenSSL 3 reads as it is',
        file,
      ),
    );
  }
  if (!withinDotnetLimits(info)) {
    out.push(
      finding(
        'PFX_REENCODED',
        'warning',
        `${file} asks for ${info.maxIterations.toLocaleString('en-US')} iterations, more than .NET's Pkcs12LoaderLimits allow (${DOTNET_MAX_ITERATIONS_PER_KDF.toLocaleString('en-US')}), so Kestrel would refuse it`,
        'nothing: the published cert.pfx is re-encoded with 2,048 iterations; export with fewer iterations to silence this',
        file,
      ),
    );
  }
  return out;
}

/** Over 60 lines: one dispatch over the layouts discover() found (a keystore, a PFX, PEM files), each
 *  with the findings it can raise; what each layout does is in its own module. */
export function loadSource(opts: LoadOptions): Material {
  const d = discover(opts);
  const certs: Located<crypto.X509Certificate>[] = [];
  const keys: Located<crypto.KeyObject>[] = [];
  const details: Material['source']['details'] = { layout: d.layout };
  const findings: Finding[] = [];
  let kind: SourceKind =
    d.layout === 'kubernetes-tls' ? 'kubernetes-tls' : d.layout === 'letsencrypt' ? 'letsencrypt' : 'pem';
  const files: string[] = [];
  let modernPfx: Material['modernPfx'];

  if (d.pfx) {
    kind = 'pfx';
    files.push(d.pfx);
    const bytes = readInput(d.pfx, d.root);
    refuseKeystore(bytes, d.pfx);
    let contents: ReturnType<typeof parsePkcs12>;
    try {
      contents = parsePkcs12(bytes, opts.password);
    } catch (err) {
      throw inFile(err, d.pfx, 'cannot open');
    }
    for (const [i, der] of contents.certs.entries()) {
      certs.push({
        value: parseCert(der, d.pfx),
        file: d.pfx,
        ...(contents.names[i] !== undefined ? { name: contents.names[i] } : {}),
      });
    }
    for (const der of contents.keys) {
      try {
        keys.push({ value: crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }), file: d.pfx });
      } catch (err) {
        fail(
          'UNSUPPORTED_ALGORITHM',
          `cannot open ${d.pfx}: its private key is of a type node:crypto cannot read`,
          'export the PFX with an RSA or ECDSA (P-256, P-384 or P-521) key',
          d.pfx,
          err,
        );
      }
    }
    details.encryption = contents.info.encryption.join(', ') || 'none';
    details.mac = contents.info.mac ? `${contents.info.mac.label}, ${contents.info.mac.iterations} iterations` : 'none';
    details.maxIterations = contents.info.maxIterations;
    findings.push(...pfxFindings(contents.info, d.pfx));
    const { info } = contents;
    if (
      info.modernShape &&
      info.minIterations >= PFX_ITERATIONS &&
      withinDotnetLimits(info) &&
      info.opened !== 'none'
    ) {
      modernPfx = { bytes, password: info.opened === 'password' ? opts.password! : '', certs: contents.certs };
    }
  }

  for (const file of d.pem) {
    const bytes = readInput(file, d.root);
    refuseKeystore(bytes, file);
    if (d.pfx && looksLikePem(bytes)) {
      // Beside a PFX, PEM files may only add certificates; a second key makes the choice ambiguous.
      let labels: string[] = [];
      try {
        labels = parsePemBlocks(bytes.toString('utf8')).map((b) => b.label);
      } catch {
        continue;
      }
      if (labels.some((l) => KEY_LABELS.test(l))) {
        fail(
          'SOURCE_AMBIGUOUS',
          `cannot choose a certificate in ${path.dirname(d.pfx)}: it holds ${path.basename(d.pfx)} and a private key in ${path.basename(file)}`,
          `set KCS_CERT_FILE=${path.basename(d.pfx)} to use the PFX, or remove one of them`,
          file,
        );
      }
    }
    let parsed: ReturnType<typeof parsePemOrDer>;
    try {
      parsed = parsePemOrDer(bytes, opts.password);
    } catch (err) {
      throw inFile(err, file, 'cannot read');
    }
    if (parsed.certs.length === 0 && parsed.keys.length === 0) {
      if (d.layout === 'pem' || d.layout === 'pfx') continue; // an unrelated file in the directory
      fail(
        'FILE_CORRUPT',
        `cannot read ${file}: it holds ${parsed.other.length ? parsed.other.join(', ') : 'no PEM block'}, not a certificate or private key`,
        'mount the certificate (BEGIN CERTIFICATE) and its key (BEGIN PRIVATE KEY)',
        file,
      );
    }
    if (parsed.encryptedKey) details.keyEncrypted = true;
    files.push(file);
    for (const der of parsed.certs) certs.push({ value: parseCert(der, file), file });
    for (const key of parsed.keys) keys.push({ value: key, file });
  }

  const anchors: crypto.X509Certificate[] = [];
  for (const file of d.ca) {
    let parsed: ReturnType<typeof parsePemOrDer>;
    try {
      parsed = parsePemOrDer(readInput(file, d.root), undefined);
    } catch (err) {
      throw inFile(err, file, 'cannot read');
    }
    files.push(file);
    anchors.push(...parsed.certs.map((der) => parseCert(der, file)));
  }

  const where = d.root ?? opts.source;
  const { cert, key } = pickLeaf(certs, keys, where, d, opts.certEntry);
  const seen = new Set([cert.value.fingerprint256]);
  const others: crypto.X509Certificate[] = [];
  for (const c of certs) {
    if (seen.has(c.value.fingerprint256)) continue;
    seen.add(c.value.fingerprint256);
    // Another entry of a keystore (one KCS_CERT_ENTRY did not choose) is not part of this chain.
    if (opts.certEntry !== undefined && keys.some((k) => c.value.checkPrivateKey(k.value))) continue;
    others.push(c.value);
  }
  const m: Material = {
    leaf: cert.value,
    key: key.value,
    others,
    anchors,
    source: { kind, files: [...new Set(files)], details },
    findings,
  };
  // By fingerprint: a leaf that appears twice (first, and again later) is first.
  const before =
    kind === 'pfx'
      ? 0
      : certs
          .filter((c) => c.file === cert.file)
          .findIndex((c) => c.value.fingerprint256 === cert.value.fingerprint256);
  if (before > 0) m.certsBeforeLeaf = before;
  if (opts.password !== undefined) m.inputPassword = opts.password;
  if (modernPfx) m.modernPfx = modernPfx;
  return m;
}
