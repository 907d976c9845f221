// The published trust/ directory: ca-bundle.crt for SSL_CERT_FILE (Node's public roots, read from the file
// the build wrote beside the bundle, plus ca.crt) and an OpenSSL hashed directory for SSL_CERT_DIR.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Class, Type, toDer, build, type Asn1 } from '../pkix/asn1.js';
import { certFacts } from '../pkix/x509-ext.js';
import { certsToPem } from '../convert/pem.js';

const STRING_TYPES = new Set([
  Type.UTF8,
  Type.PRINTABLESTRING,
  Type.IA5STRING,
  20 /* T61 */,
  28 /* Universal */,
  Type.BMPSTRING,
  26 /* Visible */,
]);

function canonicalValue(node: Asn1): Asn1 {
  if (node.tagClass !== Class.UNIVERSAL || !STRING_TYPES.has(node.type) || typeof node.value !== 'string') return node;
  const bytes = Buffer.from(node.value, 'latin1');
  // node-forge hands a BMPString back already decoded (one UTF-16 unit per character); a
  // UniversalString is UCS-4, big-endian.
  const text =
    node.type === Type.BMPSTRING
      ? node.value
      : (node.type as number) === 28
        ? String.fromCodePoint(...Array.from({ length: bytes.length >> 2 }, (_, i) => bytes.readUInt32BE(i * 4)))
        : bytes.toString(node.type === Type.UTF8 ? 'utf8' : 'latin1');
  // OpenSSL's x509_name_canon: trim, collapse white space, lower-case ASCII, re-encode as UTF8String.
  const canon = text
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/[A-Z]/g, (c) => c.toLowerCase());
  return build.utf8(canon);
}

/** OpenSSL's X509_NAME_hash (the `openssl x509 -hash` value): SHA-1 over the canonical RDNs,
 *  first 4 bytes little-endian. */
export function subjectHash(cert: crypto.X509Certificate): string {
  const subject = certFacts(cert).subject.value as Asn1[];
  const canon = Buffer.concat(
    subject.map((rdn) =>
      toDer(
        build.set(
          ...(rdn.value as Asn1[]).map((ava) => {
            const [type, value] = ava.value as Asn1[];
            return build.seq(type!, canonicalValue(value!));
          }),
        ),
      ),
    ),
  );
  const digest = crypto.createHash('sha1').update(canon).digest();
  return digest.readUInt32LE(0).toString(16).padStart(8, '0');
}

declare const __NODE_ROOTS_FILE__: string | undefined;

interface NodeRoots {
  /** The PEM text of every root, one after another, as trust/ca-bundle.crt starts. */
  text: Buffer;
  pems: () => readonly string[];
  /** X509Certificate.subject of each root, in the same order. */
  subjects: () => readonly string[];
}
let roots: NodeRoots | undefined;

/**
 * Node's public roots (tls.rootCertificates: Mozilla's list, as bundled in Node). The build writes
 * the list of the Node that built the bundle (the image's Node) to dist/node-root-certificates.pem,
 * and their subjects to node-root-certificates.json: loading node:tls at run time only to read the
 * list would cost ~15 ms of every start, and parsing 150 certificates to find an issuer ~6 ms.
 * Unbundled (the unit tests), node:tls is asked.
 */
function nodeRoots(): NodeRoots {
  if (roots) return roots;
  if (typeof __NODE_ROOTS_FILE__ === 'string') {
    const file = new URL(__NODE_ROOTS_FILE__, import.meta.url);
    const text = fs.readFileSync(file);
    let pems: string[] | undefined;
    let subjects: string[] | undefined;
    roots = {
      text,
      pems: () =>
        (pems ??= text
          .toString('latin1')
          .split(/(?<=-----END CERTIFICATE-----)\n/)
          .filter((pem) => pem.includes('BEGIN'))),
      subjects: () =>
        (subjects ??= JSON.parse(
          fs.readFileSync(new URL(__NODE_ROOTS_FILE__.replace(/\.pem$/, '.json'), import.meta.url), 'utf8'),
        ) as string[]),
    };
  } else {
    const list = process.getBuiltinModule('node:tls').rootCertificates;
    let subjects: string[] | undefined;
    roots = {
      text: Buffer.from(`${list.join('\n')}\n`),
      pems: () => list,
      subjects: () => (subjects ??= list.map((pem) => new crypto.X509Certificate(pem).subject)),
    };
  }
  return roots;
}

/** The public roots whose subject is `issuer` (an X509Certificate.issuer): the candidates to verify
 *  a chain's top against. */
export function publicRootsNamed(issuer: string): crypto.X509Certificate[] {
  const r = nodeRoots();
  const subjects = r.subjects();
  const out: crypto.X509Certificate[] = [];
  for (let i = 0; i < subjects.length; i++)
    if (subjects[i] === issuer) out.push(new crypto.X509Certificate(r.pems()[i]!));
  return out;
}

/** Node's public roots plus our CA: for SSL_CERT_FILE, so apps trust the internet and our services. */
export function caBundle(anchors: readonly crypto.X509Certificate[]): Buffer {
  return Buffer.concat([nodeRoots().text, Buffer.from(certsToPem(anchors), 'utf8')]);
}

/** `<hash>.0`, `<hash>.1`, ... for each anchor, as `openssl rehash` names them. */
export function hashedNames(anchors: readonly crypto.X509Certificate[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const cert of anchors) {
    const hash = subjectHash(cert);
    let i = 0;
    while (out.has(`${hash}.${i}`)) i++;
    out.set(`${hash}.${i}`, certsToPem([cert]));
  }
  return out;
}
